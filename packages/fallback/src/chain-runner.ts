import {
  type ChatRequest,
  type ChatResult,
  contextWindowOf,
  estimateRequestTokens,
  KeypoolError,
  PoolExhaustedError,
  ProviderError,
  sleep,
} from '@keypool/core';
import { AttemptLog, type StepSkipReason } from './attempt-log';
import {
  type CallState,
  hintOf,
  type ResolvedStep,
  stepRetryAfter,
  type Verdict,
  verdictOf,
} from './chain-call-state';
import { ChainExhaustedError, type ChainExhaustedReason } from './chain-exhausted-error';
import type { FallbackEventName, FallbackEvents, FallbackReason } from './fallback-events';
import type { FallbackAction, FallbackPolicy } from './fallback-policy';
import { triggerOf } from './fallback-policy';
import type { FallbackChatResult } from './fallback-result';
import type { StepCallBudget } from './step-call';
import { waitInPlaceMs } from './wait-in-place';

/** The chain settings the loop reads (resolved from `FallbackChainOptions`). */
export interface ChainRunnerSettings {
  steps: readonly ResolvedStep[];
  policy: Readonly<FallbackPolicy>;
  deadlineMs: number;
  attemptTimeoutMs: number | undefined;
  firstChunkTimeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  contextWindows: Readonly<Record<string, number>> | undefined;
  waitInPlaceMs: number;
  now: () => number;
  /** The chain's emitter (only called when someone listens). */
  emit: <K extends FallbackEventName>(name: K, event: FallbackEvents[K]) => void;
}

/**
 * The loop a chain's `chat` and `stream` share: a call's state, the decision before each step (context window,
 * deadline, breaker), the decision table after a failure, the served result, waiting in place and the exhausted error,
 * and each step's breaker verdicts with the events they cause.
 */
export class ChainRunner {
  readonly steps: readonly ResolvedStep[];
  private readonly policy: Readonly<FallbackPolicy>;
  private readonly deadlineMs: number;
  private readonly attemptTimeoutMs: number | undefined;
  private readonly firstChunkTimeoutMs: number | undefined;
  private readonly idleTimeoutMs: number | undefined;
  private readonly contextWindows: Readonly<Record<string, number>> | undefined;
  private readonly waitInPlaceMs: number;
  private readonly now: () => number;
  private readonly emit: ChainRunnerSettings['emit'];

  constructor(settings: ChainRunnerSettings) {
    this.steps = settings.steps;
    this.policy = settings.policy;
    this.deadlineMs = settings.deadlineMs;
    this.attemptTimeoutMs = settings.attemptTimeoutMs;
    this.firstChunkTimeoutMs = settings.firstChunkTimeoutMs;
    this.idleTimeoutMs = settings.idleTimeoutMs;
    this.contextWindows = settings.contextWindows;
    this.waitInPlaceMs = settings.waitInPlaceMs;
    this.now = settings.now;
    this.emit = settings.emit;
  }

  /** A new call's state: its deadline and attempt log. */
  begin(request: ChatRequest): CallState {
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
  async waitOrGiveUp(state: CallState): Promise<void> {
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
        provider: this.steps[0]?.ref.provider ?? 'unknown',
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
  beforeStep(state: CallState, step: ResolvedStep): StepCallBudget | undefined {
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
  afterFailure(
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

  served(state: CallState, step: ResolvedStep, result: ChatResult, stream: boolean): FallbackChatResult {
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
    const next = this.steps[step.ref.index + 1];
    if (next) this.emit('fallback.step', { from: step.ref, to: next.ref, ...event });
  }

  exhausted(state: CallState, reason?: ChainExhaustedReason): ChainExhaustedError {
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
  verdict(step: ResolvedStep, verdict: Verdict, hint?: { retryAfterMs?: number }): void {
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
