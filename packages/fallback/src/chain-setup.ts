import { ConfigError, type ConfigIssue } from '@keypool/core';
import type { ChainStep, StepRef } from './chain-step';
import { continuationIssues } from './chain-stream-continuation';
import {
  ConsecutiveFailureBreaker,
  type ConsecutiveFailureBreakerState,
} from './consecutive-failure-breaker';
import type { FallbackChainOptions } from './fallback-chain-options';
import type { StepBreaker } from './step-breaker';

/** The breaker of one step: its own, the chain's factory, none, or a default breaker (restored from saved state). */
export function breakerFor(
  config: ChainStep,
  ref: StepRef,
  options: FallbackChainOptions,
): StepBreaker | undefined {
  if (config.breaker === false) return undefined;
  if (config.breaker) return config.breaker;
  const chainOption = options.breaker;
  if (chainOption === false) return undefined;
  if (typeof chainOption === 'function') return chainOption(ref);
  const saved = options.initialState?.steps.find((entry) => entry.name === ref.name)?.breaker;
  return new ConsecutiveFailureBreaker({
    ...chainOption,
    ...(isBreakerState(saved) ? { initialState: saved } : {}),
  });
}

function isBreakerState(value: unknown): value is ConsecutiveFailureBreakerState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    (state.state === 'closed' || state.state === 'open') &&
    typeof state.consecutiveFailures === 'number' &&
    typeof state.openUntil === 'number'
  );
}

/** Validates a chain's steps and options; throws a `ConfigError` naming each bad field. */
export function validateChain(steps: readonly ChainStep[], options: FallbackChainOptions): void {
  const issues: ConfigIssue[] = [];
  if (!Array.isArray(steps) || steps.length === 0) {
    throw new ConfigError('fallback chain', [{ path: 'steps', message: 'at least one step is required' }]);
  }
  steps.forEach((step, index) => {
    const path = `steps[${index}]`;
    if (!step || typeof step !== 'object') {
      issues.push({ path, message: 'must be an object { pool, model }' });
      return;
    }
    const pool = step.pool as Partial<ChainStep['pool']> | undefined;
    if (!pool || typeof pool.chat !== 'function' || typeof pool.stream !== 'function')
      issues.push({
        path: `${path}.pool`,
        message: 'must be a key pool (createKeyPool or a provider package)',
      });
    if (typeof step.model !== 'string' || step.model.length === 0)
      issues.push({ path: `${path}.model`, message: 'must be a non-empty string' });
    for (const field of [
      'maxTokens',
      'contextWindow',
      'maxAttempts',
      'attemptTimeoutMs',
      'deadlineMs',
      'firstChunkTimeoutMs',
      'idleTimeoutMs',
    ] as const) {
      const value = step[field];
      if (value !== undefined && !(typeof value === 'number' && value > 0))
        issues.push({ path: `${path}.${field}`, message: 'must be a number > 0' });
    }
  });
  for (const field of ['deadlineMs', 'attemptTimeoutMs', 'firstChunkTimeoutMs', 'idleTimeoutMs'] as const) {
    const value = options[field];
    if (value !== undefined && !(typeof value === 'number' && value > 0))
      issues.push({ path: field, message: 'must be a number > 0' });
  }
  const wait = options.waitInPlaceMs;
  if (wait !== undefined && !(typeof wait === 'number' && wait >= 0 && Number.isFinite(wait)))
    issues.push({ path: 'waitInPlaceMs', message: 'must be a finite number >= 0' });
  for (const [model, tokens] of Object.entries(options.contextWindows ?? {})) {
    if (!(typeof tokens === 'number' && tokens > 0))
      issues.push({ path: `contextWindows[${JSON.stringify(model)}]`, message: 'must be a number > 0' });
  }
  if (options.deadlineMs !== undefined && !Number.isFinite(options.deadlineMs))
    issues.push({ path: 'deadlineMs', message: 'must be finite: a chain never waits forever' });
  issues.push(...continuationIssues(options));
  if (issues.length > 0) throw new ConfigError('fallback chain', issues);
}
