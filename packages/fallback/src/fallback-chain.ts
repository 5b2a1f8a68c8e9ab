import { type ChatRequest, type ChatResult, type StreamContinuationEvent, TypedEmitter } from '@keypool/core';
import type { ResolvedStep, StepStatus } from './chain-call-state';
import { ChainRunner } from './chain-runner';
import { breakerFor, validateChain } from './chain-setup';
import { type ChainStep, type StepRef, stepRequest } from './chain-step';
import {
  type ChainContinuationOptions,
  continueChainStream,
  withSharedCapabilities,
} from './chain-stream-continuation';
import { streamChainSteps } from './chain-stream-steps';
import type { FallbackChainOptions, FallbackChainState } from './fallback-chain-options';
import type { FallbackEventName, FallbackEvents } from './fallback-events';
import { type FallbackPolicy, resolveFallbackPolicy } from './fallback-policy';
import type { FallbackChatResult, FallbackStreamEvent } from './fallback-result';
import { callStepChat } from './step-call';

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
  private readonly runner: ChainRunner;
  private readonly deadlineMs: number;
  private readonly restartOnInterrupt: boolean;
  private readonly continuation: ChainContinuationOptions;
  private readonly now: () => number;

  constructor(steps: readonly ChainStep[], options: FallbackChainOptions = {}) {
    validateChain(steps, options);
    this.policy = Object.freeze(resolveFallbackPolicy(options.policy));
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.restartOnInterrupt = options.restartOnInterrupt ?? false;
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
    this.runner = new ChainRunner({
      steps: this.resolved,
      policy: this.policy,
      deadlineMs: this.deadlineMs,
      attemptTimeoutMs: options.attemptTimeoutMs,
      firstChunkTimeoutMs: options.firstChunkTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      contextWindows: options.contextWindows ? { ...options.contextWindows } : undefined,
      waitInPlaceMs: options.waitInPlaceMs ?? DEFAULT_WAIT_IN_PLACE_MS,
      now: this.now,
      emit: (name, event) => this.emit(name, event),
    });
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
    const state = this.runner.begin(request);
    for (;;) {
      for (const step of this.resolved) {
        const budget = this.runner.beforeStep(state, step);
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
          this.runner.afterFailure(state, step, error, stepStarted);
          continue;
        }
        return this.runner.served(state, step, result, false);
      }
      await this.runner.waitOrGiveUp(state);
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
    return continueChainStream(
      (continued) => streamChainSteps(this.runner, continued, this.restartOnInterrupt, this.now),
      request,
      options,
    );
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
