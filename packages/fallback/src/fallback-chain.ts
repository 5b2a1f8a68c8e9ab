import {
  type ChatRequest,
  type ChatResult,
  contextWindowOf,
  estimateRequestTokens,
  KeypoolError,
  PoolExhaustedError,
  ProviderError,
  type StreamContinuationEvent,
  StreamInterruptedError,
  sleep,
  TypedEmitter,
} from '@keypool/core';
import { AttemptLog, type StepSkipReason } from './attempt-log';
import {
  type CallState,
  hintOf,
  type ResolvedStep,
  type StepStatus,
  stepRetryAfter,
  type Verdict,
  verdictOf,
} from './chain-call-state';
import { ChainExhaustedError, type ChainExhaustedReason } from './chain-exhausted-error';
import { breakerFor, validateChain } from './chain-setup';
import { type ChainStep, type StepRef, stepRequest } from './chain-step';
import {
  type ChainContinuationOptions,
  continueChainStream,
  withSharedCapabilities,
} from './chain-stream-continuation';
import type { FallbackChainOptions, FallbackChainState } from './fallback-chain-options';
import type { FallbackEventName, FallbackEvents, FallbackReason } from './fallback-events';
import {
  type FallbackAction,
  type FallbackPolicy,
  resolveFallbackPolicy,
  triggerOf,
} from './fallback-policy';
import type { FallbackChatResult, FallbackStepStreamEvent, FallbackStreamEvent } from './fallback-result';
import { callStepChat, callStepStream, type StepCallBudget } from './step-call';
import { waitInPlaceMs } from './wait-in-place';

export type { StepStatus } from './chain-call-state';
export type { FallbackChainOptions, FallbackChainState } from './fallback-chain-options';

const DEFAULT_DEADLINE_MS = 60_000;
const DEFAULT_WAIT_IN_PLACE_MS = 3_000;

/**
 * A chain of models across providers. `chat` and `stream` try the steps in order: each step's pool runs the call with
 * its own key rotation and retry budget; when a step cannot serve (see the decision table), the chain moves to the
 * next within one total deadline. Per-step breakers skip a step that keeps failing. Build it with
 * `createFallbackChain`.
 */
export class FallbackChain {
  /** The steps, in order. */
  readonly steps: readonly StepRef[];
  /** The decision table in force. */
  readonly policy: Readonly<FallbackPolicy>;
  private readonly resolved: readonly ResolvedStep[];
  private readonly events = new TypedEmitter<FallbackEvents>();
  private readonly deadlineMs: number;
  private readonly attemptTimeoutMs: number | undefined;
  private readonly firstChunkTimeoutMs: number | undefined;
  private readonly idleTimeoutMs: number | undefined;
  private readonly restartOnInterrupt: boolean;
  private readonly contextWindows: Readonly<Record<string, number>> | undefined;
  private readonly waitInPlaceMs: number;
  private readonly continuation: ChainContinuationOptions;
  private readonly now: () => number;

  constructor(steps: readonly ChainStep[], options: FallbackChainOptions = {}) {
    validateChain(steps, options);
    this.policy = Object.freeze(resolveFallbackPolicy(options.policy));
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.attemptTimeoutMs = options.attemptTimeoutMs;
    this.firstChunkTimeoutMs = options.firstChunkTimeoutMs;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.restartOnInterrupt = options.restartOnInterrupt ?? false;
    this.contextWindows = options.contextWindows ? { ...options.contextWindows } : undefined;
    this.waitInPlaceMs = options.waitInPlaceMs ?? DEFAULT_WAIT_IN_PLACE_MS;
    this.continuation = withSharedCapabilities(options);
    this.now = options.now ?? Date.now;
    this.resolved = steps.map((config, index) => {
      const ref: StepRef = Object.freeze({
        index,
        name: config.name ?? `${config.pool.provider}:${config.model}`,
        provider: config.pool.provider,
        model: config.model,
      });
      return { config, ref, breaker: breakerFor(config, ref, options) };
    });
    this.steps = Object.freeze(this.resolved.map((step) => step.ref));
  }

  // ---------------------------------------------------------------- events

  /** Listens to one event (`fallback.step`, `fallback.served`, `breaker.open`, ...). Returns the unsubscribe function. */
  on<K extends FallbackEventName>(name: K, listener: (event: FallbackEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Listens to every event; each arrives with its name as `type`. Returns the unsubscribe function. */
  onAny(listener: Parameters<TypedEmitter<FallbackEvents>['onAny']>[0]): () => void {
    return this.events.onAny(listener);
  }

  private emit<K extends FallbackEventName>(name: K, event: FallbackEvents[K]): void {
    if (this.events.hasListeners(name)) this.events.emit(name, event);
  }

  // ---------------------------------------------------------------- calls

  /**
   * Asks the steps in order until one serves. Resolves with the serving step's answer, who served it and every
   * attempt; throws the step's own error for a request that no step can fix (invalid request, content filter, the
   * caller's abort), or a `ChainExhaustedError` when no step could serve.
   */
  async chat(request: ChatRequest): Promise<FallbackChatResult> {
    const state = this.begin(request);
    for (;;) {
      for (const step of this.resolved) {
        const budget = this.beforeStep(state, step);
        if (!budget) continue;
        const stepStarted = this.now();
        let result: ChatResult;
        try {
          result = await callStepChat(
            step.config.pool,
            step.ref,
            stepRequest(step.config, request),
            budget,
            state.log,
          );
        } catch (error) {
          this.afterFailure(state, step, error, stepStarted);
          continue;
        }
        return this.served(state, step, result, false);
      }
      await this.waitOrGiveUp(state);
    }
  }

  /**
   * Streams from the first step that can serve: text deltas, then one `done` with the whole result. Before the first
   * chunk reaches the caller, a step that fails, times out before its first chunk (`firstChunkTimeoutMs`) or is skipped
   * moves the call on. After it, a failure, a stall longer than `idleTimeoutMs` or a missing end is continued
   * (`onInterrupt`, default `continue`): on another key of the same step, then on the next steps, by a prefill where
   * the model accepts one, else by a restart announced with a `restart` event. When it cannot be continued within the
   * deadline it throws `StreamInterruptedError` with the partial text, never a truncated success. With
   * `restartOnInterrupt`, deltas are held until the step's stream ends properly, so the caller never sees a restart.
   */
  stream(request: ChatRequest): AsyncGenerator<FallbackStreamEvent, void, undefined> {
    const emit = ({ type, ...event }: StreamContinuationEvent) =>
      this.emit(type, event as FallbackEvents[typeof type]);
    const options = { ...this.continuation, deadlineMs: this.deadlineMs, now: this.now, emit };
    return continueChainStream((continued) => this.streamSteps(continued), request, options);
  }

  /** One run of the steps for `stream` (see `chain-stream-continuation.ts` for how a break is continued). */
  private async *streamSteps(request: ChatRequest): AsyncGenerator<FallbackStepStreamEvent, void, undefined> {
    const state = this.begin(request);
    for (;;) {
      for (const step of this.resolved) {
        const budget = this.beforeStep(state, step);
        if (!budget) continue;
        const stepStarted = this.now();
        let forwarded = false;
        let verdictGiven = false;
        const held: { type: 'delta'; text: string }[] = [];
        try {
          let result: ChatResult | undefined;
          const events = callStepStream(
            step.config.pool,
            step.ref,
            stepRequest(step.config, request),
            budget,
            state.log,
          );
          for await (const event of events) {
            if (event.type === 'done') result = event.result;
            else if (this.restartOnInterrupt) {
              if (event.type === 'restart') held.length = 0;
              else held.push(event);
            } else {
              forwarded = true;
              yield event;
            }
          }
          if (!result) {
            // The pool already guarantees a `done`; this keeps "never a truncated success" true whatever the pool.
            throw new StreamInterruptedError(
              {
                category: 'server',
                message: 'the stream ended without its result',
                provider: step.ref.provider,
              },
              held.map((event) => event.text).join(''),
            );
          }
          verdictGiven = true;
          const final = this.served(state, step, result, true);
          for (const event of held) yield event;
          yield { type: 'done', result: final };
          return;
        } catch (error) {
          if (verdictGiven) throw error;
          verdictGiven = true;
          if (forwarded) {
            // Output reached the caller: no failover. The route broke, so the breaker hears of it.
            this.verdict(step, request.signal?.aborted ? 'release' : 'failure');
            throw error;
          }
          const restart = StreamInterruptedError.isInstance(error) && !request.signal?.aborted;
          this.afterFailure(
            state,
            step,
            error,
            stepStarted,
            restart ? { reason: 'stream_interrupted', action: 'next' } : undefined,
          );
        } finally {
          // The consumer stopped early (or threw into the stream): no verdict on the step.
          if (!verdictGiven) this.verdict(step, 'release');
        }
      }
      await this.waitOrGiveUp(state);
    }
  }

  // ---------------------------------------------------------------- state

  /** Each step's breaker state now. */
  status(): StepStatus[] {
    const now = this.now();
    return this.resolved.map((step) => {
      const remaining = step.breaker?.remainingMs?.(now);
      return {
        ...step.ref,
        breaker: step.breaker ? step.breaker.state : 'none',
        ...(remaining !== undefined ? { breakerRemainingMs: remaining } : {}),
      };
    });
  }

  /** The chain's state to save (each step's breaker); restore it with the `initialState` option. */
  toJSON(): FallbackChainState {
    return {
      version: 1,
      steps: this.resolved.map((step) => ({
        index: step.ref.index,
        name: step.ref.name,
        breaker: step.breaker?.toJSON?.(),
      })),
    };
  }

  // ---------------------------------------------------------------- the loop

  private begin(request: ChatRequest): CallState {
    const started = this.now();
    return {
      request,
      started,
      deadline: started + this.deadlineMs,
      log: new AttemptLog(this.now),
      failures: [],
      minimumContext: undefined,
      contextPending: false,
      roundStart: 0,
      waitedMs: 0,
    };
  }

  /**
   * After a round in which no step served: waits in place for the earliest known wait and returns (the caller tries
   * the steps again), or throws the `ChainExhaustedError` when waiting cannot help (see `waitInPlaceMs`).
   */
  private async waitOrGiveUp(state: CallState): Promise<void> {
    const waitMs = waitInPlaceMs({
      round: state.failures.slice(state.roundStart),
      boundMs: this.waitInPlaceMs,
      waitedMs: state.waitedMs,
      remainingMs: state.deadline - this.now(),
    });
    if (waitMs === undefined || state.contextPending) throw this.exhausted(state);
    this.emit('fallback.wait', { waitMs, waitedMs: state.waitedMs });
    try {
      await sleep(waitMs, state.request.signal);
    } catch {
      throw new ProviderError({
        category: 'aborted',
        message: 'the caller aborted the call',
        provider: this.resolved[0]?.ref.provider ?? 'unknown',
      });
    }
    state.waitedMs += waitMs;
    state.roundStart = state.failures.length;
  }

  /** A step's context window: its own `contextWindow`, else the known window of its model (undefined if unknown). */
  private windowOf(step: ResolvedStep): number | undefined {
    return step.config.contextWindow ?? contextWindowOf(step.config.model, this.contextWindows);
  }

  /** Decides whether to call a step now; returns its budget, or undefined after recording a skip. */
  private beforeStep(state: CallState, step: ResolvedStep): StepCallBudget | undefined {
    if (state.request.signal?.aborted) {
      throw new ProviderError({
        category: 'aborted',
        message: 'the caller aborted the call',
        provider: step.ref.provider,
      });
    }
    const { config } = step;
    if (state.minimumContext !== undefined) {
      // Only a larger window can help; a step whose window is unknown is tried (once: each step is called once).
      const window = this.windowOf(step);
      if (window !== undefined && !(window > state.minimumContext)) {
        this.skip(state, step, 'context_length', undefined);
        return undefined;
      }
    }
    const now = this.now();
    const remaining = state.deadline - now;
    if (remaining <= 0) throw this.exhausted(state, 'deadline');
    if (step.breaker) {
      const before = step.breaker.state;
      const allowed = step.breaker.allow(now);
      if (before !== 'half_open' && step.breaker.state === 'half_open')
        this.emit('breaker.half_open', { step: step.ref });
      if (!allowed) {
        this.skip(state, step, 'breaker_open', step.breaker.remainingMs?.(now));
        return undefined;
      }
    }
    state.contextPending = false;
    const firstChunkTimeoutMs = config.firstChunkTimeoutMs ?? this.firstChunkTimeoutMs;
    const idleTimeoutMs = config.idleTimeoutMs ?? this.idleTimeoutMs;
    const attemptTimeoutMs = config.attemptTimeoutMs ?? this.attemptTimeoutMs;
    return {
      deadlineMs: Math.min(remaining, config.deadlineMs ?? Number.POSITIVE_INFINITY),
      ...(attemptTimeoutMs !== undefined ? { attemptTimeoutMs } : {}),
      ...(config.maxAttempts !== undefined ? { maxAttempts: config.maxAttempts } : {}),
      ...(firstChunkTimeoutMs !== undefined ? { firstChunkTimeoutMs } : {}),
      ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
    };
  }

  private skip(
    state: CallState,
    step: ResolvedStep,
    reason: StepSkipReason,
    retryAfterMs: number | undefined,
  ): void {
    state.log.skip(step.ref, reason);
    state.failures.push({
      step: step.ref,
      skipped: reason,
      ...(retryAfterMs !== undefined && reason !== 'context_length' ? { retryAfterMs } : {}),
    });
    this.moveOn(step, {
      reason,
      message:
        reason === 'breaker_open'
          ? `step ${step.ref.name} skipped: its breaker is open`
          : `step ${step.ref.name} skipped: its context window is not larger than ${state.minimumContext} tokens`,
      ...(retryAfterMs !== undefined && reason === 'breaker_open' ? { retryAfterMs } : {}),
    });
  }

  /** Applies the decision table to a step's failure: returns to move on, throws to stop. */
  private afterFailure(
    state: CallState,
    step: ResolvedStep,
    error: unknown,
    stepStarted: number,
    override?: { reason: FallbackReason; action: FallbackAction },
  ): void {
    if (state.request.signal?.aborted) {
      this.verdict(step, 'release');
      throw error;
    }
    const trigger = triggerOf(error);
    const action: FallbackAction = override?.action ?? (trigger ? this.policy[trigger] : 'stop');
    this.verdict(step, verdictOf(trigger, override !== undefined), hintOf(error));
    if (action === 'stop' || !KeypoolError.isInstance(error)) throw error;

    if (PoolExhaustedError.isInstance(error) && state.log.attemptsOf(step.ref.index).length === 0)
      state.log.unavailable(step.ref, stepStarted);
    const retryAfterMs = action === 'larger_context' ? undefined : stepRetryAfter(step, error, this.now());
    state.failures.push({ step: step.ref, error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    // The chain's deadline cut this step: there is no time left for another one.
    if (this.now() >= state.deadline) throw this.exhausted(state, 'deadline');
    if (action === 'larger_context') {
      const window = this.windowOf(step) ?? estimateRequestTokens(state.request);
      state.minimumContext = Math.max(state.minimumContext ?? 0, window);
      state.contextPending = true;
    }
    this.moveOn(step, {
      reason: override?.reason ?? trigger ?? 'server',
      message: error.message,
      ...(ProviderError.isInstance(error) ? { category: error.category } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  private served(
    state: CallState,
    step: ResolvedStep,
    result: ChatResult,
    stream: boolean,
  ): FallbackChatResult {
    this.verdict(step, 'success');
    // The pool reported the serving attempt (with its masked key) before its call resolved or its stream ended.
    const key = state.log.servingKey(step.ref.index, result.keyId);
    const attempts = state.log.list();
    const final: FallbackChatResult = {
      ...result,
      served: { ...step.ref, keyId: key.keyId, maskedKey: key.maskedKey },
      attempts,
    };
    this.emit('fallback.served', {
      step: step.ref,
      keyId: key.keyId,
      maskedKey: key.maskedKey,
      attempts: attempts.filter((attempt) => attempt.keyId !== undefined).length,
      durationMs: this.now() - state.started,
      usage: result.usage,
      stream,
    });
    return final;
  }

  private moveOn(step: ResolvedStep, event: Omit<FallbackEvents['fallback.step'], 'from' | 'to'>): void {
    const next = this.resolved[step.ref.index + 1];
    if (next) this.emit('fallback.step', { from: step.ref, to: next.ref, ...event });
  }

  private exhausted(state: CallState, reason?: ChainExhaustedReason): ChainExhaustedError {
    const finalReason: ChainExhaustedReason =
      reason ??
      (this.now() >= state.deadline
        ? 'deadline'
        : state.contextPending
          ? 'no_larger_context'
          : 'steps_exhausted');
    let retryAfterMs: number | undefined;
    for (const failure of state.failures) {
      if (failure.retryAfterMs !== undefined)
        retryAfterMs =
          retryAfterMs === undefined ? failure.retryAfterMs : Math.min(retryAfterMs, failure.retryAfterMs);
    }
    const error = new ChainExhaustedError({
      reason: finalReason,
      steps: state.failures,
      retryAfterMs,
      attempts: state.log.list(),
    });
    this.emit('fallback.exhausted', {
      reason: finalReason,
      retryAfterMs,
      steps: state.failures.length,
      message: error.message,
    });
    return error;
  }

  /** Reports a step's verdict to its breaker and emits the transitions it causes. */
  private verdict(step: ResolvedStep, verdict: Verdict, hint?: { retryAfterMs?: number }): void {
    const breaker = step.breaker;
    if (!breaker) return;
    const before = breaker.state;
    const now = this.now();
    if (verdict === 'success') breaker.success();
    else if (verdict === 'failure') breaker.failure(now, hint);
    else breaker.release?.();
    const after = breaker.state;
    if (after === before || verdict === 'release') return;
    if (after === 'open') {
      const durationMs = breaker.remainingMs?.(now);
      this.emit('breaker.open', {
        step: step.ref,
        durationMs,
        until: durationMs === undefined ? undefined : now + durationMs,
      });
    } else if (after === 'closed') {
      this.emit('breaker.close', { step: step.ref });
    }
  }
}

/**
 * Builds a fallback chain: `createFallbackChain([{ pool: anthropic, model: 'claude-...' }, { pool: openai, model:
 * 'gpt-...' }], { deadlineMs: 30_000 })`. Validates the steps and options and throws a `ConfigError` naming each bad
 * field.
 */
export function createFallbackChain(
  steps: readonly ChainStep[],
  options?: FallbackChainOptions,
): FallbackChain {
  return new FallbackChain(steps, options);
}
