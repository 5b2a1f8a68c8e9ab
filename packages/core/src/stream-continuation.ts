import type { ErrorCategory } from './categories';
import type { ChatRequest, ChatResult, ChatUsage } from './chat';
import {
  ContinuationCapabilities,
  type ContinuationMethod,
  type ContinuationRule,
  type StreamTarget,
} from './continuation-capabilities';
import type {
  ContinuationRecord,
  ContinuedResult,
  ContinuedStreamEvent,
  StreamContinuationEvent,
  StreamEndpoint,
  StreamRestartEvent,
} from './continued-stream-event';
import { ProviderError, StreamInterruptedError } from './errors';
import { isPrefillRejection } from './prefill-rejection';
import { DEFAULT_MAX_OVERLAP_WORDS, OverlapJoiner, type PrefillPlan, planPrefill } from './trim-overlap';

/** What to do when a stream breaks after output reached the caller. */
export type InterruptMode = 'continue' | 'restart' | 'fail';

/** Options of {@link continueStream}. All optional. */
export interface StreamContinuationOptions {
  /**
   * `continue` (default): continue by prefill where the model accepts one, else restart; `restart`: always restart
   * the answer (announced by a `restart` event); `fail`: end with `StreamInterruptedError`, as without continuation.
   */
  onInterrupt?: InterruptMode;
  /** The capability table: your rules (checked before the built-in ones) or a shared instance. */
  capabilities?: ContinuationCapabilities | readonly ContinuationRule[];
  /** Breaks survived per call before giving up with `StreamInterruptedError`. Default 3. */
  maxContinuations?: number;
  /** Prefill words a continuation may repeat before going on (they are trimmed). Default 4. */
  maxOverlapWords?: number;
  /** Reports interruptions, continuations and prefill rejections. */
  onEvent?: (event: StreamContinuationEvent) => void;
}

/** One try at (re)opening the stream, handed to the opener. */
export interface StreamAttempt {
  /** 1 for the first stream, then one more per (re)opening. */
  readonly number: number;
  /** Keys that broke this answer: give them to the pool so it picks another key first. */
  readonly avoidKeyIds: readonly string[];
  /** Where this answer broke so far (model, chain step and key), for openers that span several pools. */
  readonly broken: readonly StreamEndpoint[];
  /**
   * The request to send to `target`: the caller's request, with `continueFrom` (an assistant prefill) when this
   * attempt continues a broken answer on a model that accepts a prefill. Call it once per model you open.
   */
  requestFor(target: StreamTarget): ChatRequest;
  /**
   * Tells the layer which key serves this attempt, once its first chunk arrived (e.g. from the engine's
   * `onFirstChunk`), so that `stream.continued` names it. Openers that cannot know it may leave it uncalled.
   */
  servedBy(keyId: string): void;
}

/**
 * A unified stream's events as a pool or chain yields them. A `restart` from the stream itself (a pool or chain that
 * restarted on its own) clears what the caller saw; any other event type passes through untouched.
 */
export type UnifiedStreamEvent<R extends ChatResult> =
  | { type: 'delta'; text: string }
  | StreamRestartEvent
  | { type: 'done'; result: R };

/** Opens one unified stream for an attempt: e.g. `pool.stream(attempt.requestFor(target), { avoidKeyIds })`. */
export type OpenUnifiedStream<R extends ChatResult> = (
  attempt: StreamAttempt,
) => AsyncIterable<UnifiedStreamEvent<R>>;

const DEFAULT_MAX_CONTINUATIONS = 3;
const ZERO_USAGE: ChatUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

interface PendingBreak {
  at: number;
  from: StreamEndpoint;
  reason: ErrorCategory;
  prefillRejected: boolean;
}

class Attempt implements StreamAttempt {
  target: StreamTarget | undefined;
  how: ContinuationMethod | undefined;
  plan: PrefillPlan | undefined;
  /** The last request handed out (for estimating an interrupted attempt's usage). */
  sent: ChatRequest;
  /** The key serving this attempt, once the opener reported it. */
  servingKeyId: string | undefined;
  readonly number: number;
  readonly avoidKeyIds: readonly string[];
  readonly broken: readonly StreamEndpoint[];
  private readonly request: ChatRequest;
  private readonly choose: ((target: StreamTarget) => PrefillPlan | undefined) | undefined;

  constructor(
    number: number,
    broken: readonly StreamEndpoint[],
    request: ChatRequest,
    choose: ((target: StreamTarget) => PrefillPlan | undefined) | undefined,
  ) {
    this.number = number;
    this.broken = broken;
    this.avoidKeyIds = [...new Set(broken.flatMap((endpoint) => (endpoint.keyId ? [endpoint.keyId] : [])))];
    this.request = request;
    this.choose = choose;
    this.sent = request;
  }

  requestFor(target: StreamTarget): ChatRequest {
    this.target = { ...target };
    if (!this.choose) return this.request;
    this.plan = this.choose(target);
    this.how = this.plan ? 'prefill' : 'restart';
    this.sent = this.plan ? { ...this.request, continueFrom: this.plan.prefill } : this.request;
    return this.sent;
  }

  servedBy(keyId: string): void {
    this.servingKeyId = keyId;
  }
}

function addUsage(a: ChatUsage, b: ChatUsage): ChatUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

/** A billed but unreported attempt's usage: about four characters a token, prompt and prefill included. */
function estimateUsage(request: ChatRequest, output: string): ChatUsage {
  let characters = request.continueFrom?.length ?? 0;
  for (const message of request.messages) {
    const content: unknown = message.content;
    characters += (typeof content === 'string' ? content : JSON.stringify(content)).length + 4;
  }
  const inputTokens = Math.ceil(characters / 4);
  const outputTokens = Math.ceil(output.length / 4);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

function hasTools(request: ChatRequest): boolean {
  const tools = (request as { tools?: unknown }).tools;
  return Array.isArray(tools) && tools.length > 0;
}

function withoutKey(endpoint: StreamEndpoint): StreamEndpoint {
  const { keyId: _keyId, ...target } = endpoint;
  return target;
}

/** The `stream.continued` event of a record: the record, and its position, method and keys at top level. */
function continuedEvent(record: ContinuationRecord): StreamContinuationEvent {
  return {
    type: 'stream.continued',
    record: { ...record, from: { ...record.from }, to: { ...record.to } },
    at: record.at,
    how: record.how,
    ...(record.from.keyId ? { fromKeyId: record.from.keyId } : {}),
    ...(record.to.keyId ? { toKeyId: record.to.keyId } : {}),
  };
}

function targetKey(target: StreamTarget): string {
  return `${target.provider}\u0000${target.model}`;
}

function interrupted(
  cause: unknown,
  pending: PendingBreak,
  shown: string,
  message: string,
): StreamInterruptedError {
  const provider = ProviderError.isInstance(cause) ? cause : undefined;
  return new StreamInterruptedError(
    {
      category: pending.reason,
      message: `stream interrupted after ${shown.length} characters: ${message}`,
      provider: provider?.provider ?? pending.from.provider,
      ...((provider?.keyId ?? pending.from.keyId) ? { keyId: provider?.keyId ?? pending.from.keyId } : {}),
      ...(provider?.status !== undefined ? { status: provider.status } : {}),
    },
    shown,
    { cause },
  );
}

/**
 * Makes a unified stream survive interruptions. `open` opens one stream (a pool's or a chain's); when it breaks
 * after output reached the caller, the answer goes on in a new stream opened with the broken keys to avoid:
 * continued by an assistant prefill where the target model accepts one (per the capability table), the overlap
 * trimmed so the caller sees no repeated and no missing word; else restarted, announced by a `restart` event before
 * the new text. A model that rejects the prefill is never the caller's error: the answer restarts. The `done` result
 * says how the answer was produced (`continued`) and sums every billed attempt's usage. A stream that cannot go on
 * ends with `StreamInterruptedError` carrying the text the caller has; failures before any output surface unchanged.
 */
export async function* continueStream<R extends ChatResult>(
  request: ChatRequest,
  open: OpenUnifiedStream<R>,
  options: StreamContinuationOptions = {},
): AsyncGenerator<ContinuedStreamEvent<R>, void, undefined> {
  const mode = options.onInterrupt ?? 'continue';
  const capabilities =
    options.capabilities instanceof ContinuationCapabilities
      ? options.capabilities
      : new ContinuationCapabilities(options.capabilities ?? []);
  const maxContinuations = options.maxContinuations ?? DEFAULT_MAX_CONTINUATIONS;
  const maxOverlapWords = options.maxOverlapWords ?? DEFAULT_MAX_OVERLAP_WORDS;
  const emit = options.onEvent ?? (() => undefined);
  const records: ContinuationRecord[] = [];
  const broken: StreamEndpoint[] = [];
  const rejected = new Set<string>();
  let billed: ChatUsage = ZERO_USAGE;
  let usageEstimated = false;
  let structured = hasTools(request);
  let shown = '';
  /** True when structured output (a tool call's deltas) reached the caller since the last restart. */
  let structuredShown = false;
  let pending: PendingBreak | undefined;

  for (let number = 1; ; number++) {
    const breakNow = pending;
    const choose = breakNow
      ? (target: StreamTarget): PrefillPlan | undefined => {
          if (mode !== 'continue' || structured || rejected.has(targetKey(target))) return undefined;
          if (capabilities.methodFor(target) !== 'prefill') return undefined;
          const plan = planPrefill(shown, maxOverlapWords);
          return plan.prefill === '' ? undefined : plan;
        }
      : undefined;
    const attempt = new Attempt(number, [...broken], request, choose);
    let record: ContinuationRecord | undefined;
    let joiner: OverlapJoiner | undefined;
    let segmentText = '';
    let started = false;
    let finished: ContinuedResult<R> | undefined;
    try {
      for await (const event of open(attempt)) {
        // After `done`, let the opened stream end by itself (a pool settles its key's success only then).
        if (finished) continue;
        if (!started) {
          started = true;
          if (breakNow) {
            const how = attempt.how ?? 'restart';
            const to = withoutKey(attempt.target ?? breakNow.from);
            if (attempt.servingKeyId) to.keyId = attempt.servingKeyId;
            record = {
              at: breakNow.at,
              from: breakNow.from,
              to,
              how,
              reason: breakNow.reason,
              ...(breakNow.prefillRejected ? { prefillRejected: true } : {}),
            };
            records.push(record);
            pending = undefined;
            // The serving key is known now (its first chunk arrived): report the continuation before its text.
            emit(continuedEvent(record));
            if (how === 'prefill' && attempt.plan) joiner = new OverlapJoiner(attempt.plan);
            else if (shown !== '' || structuredShown) {
              // Also after a tool call's deltas only: the caller drops the half-written call.
              yield { type: 'restart', reason: breakNow.reason, discardedText: shown };
              shown = '';
              structuredShown = false;
            }
          }
        }
        if (event.type === 'delta') {
          segmentText += event.text;
          let text = event.text;
          if (joiner) {
            const step = joiner.push(text);
            if (step.type === 'diverged') {
              joiner = undefined;
              if (record) record.diverged = true;
              yield { type: 'restart', reason: 'continuation_diverged', discardedText: shown };
              shown = '';
              text = (attempt.plan?.prefill ?? '') + step.continuation;
            } else text = step.text;
          }
          if (text !== '') {
            shown += text;
            yield { type: 'delta', text };
          }
        } else if (event.type === 'done') {
          if (joiner && joiner.finish().type === 'diverged') {
            // The continuation ended before it reproduced what the caller saw: replace the answer with it.
            if (record) record.diverged = true;
            yield { type: 'restart', reason: 'continuation_diverged', discardedText: shown };
            shown = (attempt.plan?.prefill ?? '') + segmentText;
            if (shown !== '') yield { type: 'delta', text: shown };
          }
          if (record) record.to.keyId = event.result.keyId;
          const usage = addUsage(billed, event.result.usage);
          const result = {
            ...event.result,
            text: shown,
            usage,
            continued: records,
            ...(usageEstimated ? { usageEstimated: true } : {}),
          };
          finished = result as ContinuedResult<R>;
        } else if (event.type === 'restart') {
          // The opened stream restarted on its own: everything the caller saw is discarded, this one included.
          joiner = undefined;
          segmentText = '';
          if (shown !== '' || structuredShown)
            yield { type: 'restart', reason: event.reason, discardedText: shown };
          shown = '';
          structuredShown = false;
        } else {
          // A tool call or other structured output: a later break restarts (never continues half-written JSON).
          structured = true;
          structuredShown = true;
          yield event as ContinuedStreamEvent<R>;
        }
      }
      if (finished) {
        yield { type: 'done', result: finished };
        return;
      }
      throw new StreamInterruptedError(
        {
          category: 'server',
          message: 'the stream ended without its result',
          provider: attempt.target?.provider ?? 'unknown',
        },
        segmentText,
      );
    } catch (error) {
      if (finished && !request.signal?.aborted) {
        // The answer was whole when the stream failed to close: it is the caller's answer, not a break.
        yield { type: 'done', result: finished };
        return;
      }
      if (request.signal?.aborted || (ProviderError.isInstance(error) && error.category === 'aborted'))
        throw error;
      if (!started) {
        if (breakNow && attempt.how === 'prefill' && attempt.target && isPrefillRejection(error)) {
          // Our prefill caused this 400: never the caller's error. Restart on this model, and remember it.
          rejected.add(targetKey(attempt.target));
          capabilities.learnRestart(attempt.target);
          emit({
            type: 'stream.prefill_rejected',
            target: attempt.target,
            message: (error as Error).message,
          });
          pending = { ...breakNow, prefillRejected: true };
          continue;
        }
        if (!breakNow) throw error;
        throw interrupted(error, breakNow, shown, `it could not be continued: ${(error as Error).message}`);
      }
      if (!StreamInterruptedError.isInstance(error)) throw error;
      billed = addUsage(billed, estimateUsage(attempt.sent, segmentText));
      usageEstimated = true;
      const from: StreamEndpoint = {
        ...(attempt.target ?? { provider: error.provider, model: request.model }),
        ...(error.keyId ? { keyId: error.keyId } : {}),
      };
      if (record && error.keyId) record.to.keyId = error.keyId;
      emit({
        type: 'stream.interrupted',
        at: shown.length,
        from,
        category: error.interruptedBy,
        message: error.message,
      });
      if (mode === 'fail' && records.length === 0) throw error;
      const next: PendingBreak = {
        at: shown.length,
        from,
        reason: error.interruptedBy,
        prefillRejected: false,
      };
      if (mode === 'fail' || records.length >= maxContinuations) {
        throw interrupted(error, next, shown, error.message);
      }
      broken.push(from);
      pending = next;
    }
  }
}
