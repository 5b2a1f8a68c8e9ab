import type { Answer } from './answer.ts';
import { buildAnswer } from './answer.ts';
import { continueAnswer } from './continue-answer.ts';
import type { EmulatorState } from './emulator-state.ts';
import type { Failure } from './failure.ts';
import type { KeyState } from './key-state.ts';
import type { ChatRequest } from './provider-dialect.ts';
import { structuredOutputText } from './structured-output.ts';

/** What the emulator will do with a request. */
export type Decision =
  | { type: 'fail'; failure: Failure; answer?: Answer }
  | { type: 'reset' }
  | { type: 'no_response' }
  | { type: 'hang_up'; afterMs: number }
  | { type: 'answer'; answer: Answer };

/** Anthropic's wording for a model that no longer accepts a trailing assistant message. */
const PREFILL_REJECTED =
  'This model does not support assistant message prefill. The conversation must end with a user message.';

/**
 * Decides a request's fate, in the order a real provider would: authentication and key state first, then the
 * model's health, random faults, the context window, the rate limits (only requests that pass them are charged),
 * and last the content filter.
 */
export function decideOutcome(
  state: EmulatorState,
  key: string | undefined,
  keyState: KeyState | undefined,
  request: ChatRequest,
  now: number,
): Decision {
  if (key === undefined || keyState === undefined)
    return { type: 'fail', failure: { kind: 'invalid_key', key } };
  keyState.calls += 1;
  const keyBehaviour = keyState.behaviour;
  if (keyBehaviour.invalid) return { type: 'fail', failure: { kind: 'invalid_key', key } };
  if (keyBehaviour.revokeAfter !== undefined && keyState.calls > keyBehaviour.revokeAfter) {
    return { type: 'fail', failure: { kind: 'invalid_key', key } };
  }
  if (keyBehaviour.leaked) return { type: 'fail', failure: { kind: 'leaked_key', key } };
  if (keyBehaviour.quotaExhausted) {
    return {
      type: 'fail',
      failure: { kind: 'quota_exhausted', style: keyBehaviour.quotaStyle ?? 'spend_limit' },
    };
  }

  const model = state.models.get(request.model);
  const modelBehaviour = model?.behaviour;
  if (model !== undefined && modelBehaviour !== undefined) {
    if (modelBehaviour.notFound) return { type: 'fail', failure: { kind: 'not_found' } };
    if (modelBehaviour.resetBeforeHeaders) return { type: 'reset' };
    if (modelBehaviour.noResponse) return { type: 'no_response' };
    if (modelBehaviour.hangUpAfterMs !== undefined) {
      return { type: 'hang_up', afterMs: modelBehaviour.hangUpAfterMs };
    }
    const outage = model.outageAt(now);
    if (outage === 'overloaded' || modelBehaviour.overloaded)
      return { type: 'fail', failure: { kind: 'overloaded' } };
    if (outage === 'server_error' || modelBehaviour.serverError || model.takeServerErrorOnce()) {
      return { type: 'fail', failure: { kind: 'server_error' } };
    }
  }
  if (
    keyBehaviour.faultRate !== undefined &&
    keyBehaviour.faultRate > 0 &&
    state.random() < keyBehaviour.faultRate
  ) {
    return { type: 'fail', failure: { kind: 'server_error' } };
  }

  if (request.prefill !== undefined && modelBehaviour?.rejectPrefill) {
    return { type: 'fail', failure: { kind: 'bad_request', message: PREFILL_REJECTED } };
  }
  const intended = buildAnswer(
    request.promptText,
    request.lastUserText,
    request.maxTokens ?? state.config.defaultMaxTokens,
    structuredOutputText(request, modelBehaviour),
    request.facts,
  );
  const answer =
    request.prefill === undefined
      ? intended
      : continueAnswer(intended, request.prefill, modelBehaviour?.prefillRepeatWords ?? 0);
  const contextWindow = modelBehaviour?.contextWindow;
  if (contextWindow !== undefined && answer.promptTokens > contextWindow) {
    return {
      type: 'fail',
      failure: { kind: 'context_length', promptTokens: answer.promptTokens, contextWindow },
      answer,
    };
  }
  const tokens = answer.promptTokens + answer.completionTokens;
  const refusal = keyState.check(now, tokens, request.model);
  if (refusal !== undefined) return { type: 'fail', failure: { kind: 'rate_limited', ...refusal }, answer };
  keyState.consume(now, tokens, request.model);
  if (modelBehaviour?.contentFilter) return { type: 'fail', failure: { kind: 'content_filter' }, answer };
  return { type: 'answer', answer };
}
