import {
  ConfigError,
  type ErrorCategory,
  KeypoolError,
  PoolExhaustedError,
  ProviderError,
  StreamInterruptedError,
} from '@keypool/core';

/**
 * What made a step fail, as the chain's decision table sees it: a core error category, or one of two chain-level
 * cases: `pool_exhausted` (the step's pool has no usable key: every key rate-limited, out of quota, disabled, or the
 * step's attempt budget spent) and `model_not_found` (a `ProviderError` with `modelNotFound`, an invalid_request that
 * is really a misconfigured step). `stream_interrupted` is not a row: after the first chunk has reached the caller
 * the chain never moves on (see `restartOnInterrupt`).
 */
export type FallbackTrigger =
  | Exclude<ErrorCategory, 'stream_interrupted'>
  | 'pool_exhausted'
  | 'model_not_found';

/**
 * What the chain does after a step failed:
 * - `next`: move on to the next step;
 * - `larger_context`: move on, but only to a step whose `contextWindow` is larger than the failing step's;
 * - `stop`: stop the chain and rethrow the step's error as it is.
 */
export type FallbackAction = 'next' | 'larger_context' | 'stop';

/** The whole decision table: one action per trigger. */
export type FallbackPolicy = Record<FallbackTrigger, FallbackAction>;

/** Per-trigger overrides a chain accepts (`aborted` always stops and cannot be overridden). */
export type FallbackPolicyOverrides = Partial<FallbackPolicy>;

/** Every trigger, in table order. */
export const FALLBACK_TRIGGERS: readonly FallbackTrigger[] = Object.freeze([
  'pool_exhausted',
  'rate_limit',
  'quota_exhausted',
  'auth',
  'overloaded',
  'server',
  'timeout',
  'network',
  'model_not_found',
  'context_length',
  'content_filter',
  'invalid_request',
  'invalid_response',
  'aborted',
]);

/**
 * The default table, from the design: "this step cannot serve" moves on; "this request is wrong" stops.
 * `rate_limit`, `quota_exhausted` and `auth` only reach the chain when a pool's own policy rethrows them (by default
 * the pool rotates keys and ends with `pool_exhausted`).
 */
export const DEFAULT_FALLBACK_POLICY: Readonly<FallbackPolicy> = Object.freeze({
  pool_exhausted: 'next',
  rate_limit: 'next',
  quota_exhausted: 'next',
  auth: 'next',
  overloaded: 'next',
  server: 'next',
  timeout: 'next',
  network: 'next',
  model_not_found: 'next',
  context_length: 'larger_context',
  content_filter: 'stop',
  invalid_request: 'stop',
  // The step answered and was billed; the SDK could not use the answer. Another step bills again, so only on request.
  invalid_response: 'stop',
  aborted: 'stop',
});

const ACTIONS: readonly FallbackAction[] = ['next', 'larger_context', 'stop'];

/** The default table with the given rows replaced. Throws a `ConfigError` naming each bad row. */
export function resolveFallbackPolicy(overrides: FallbackPolicyOverrides | undefined): FallbackPolicy {
  const table: FallbackPolicy = { ...DEFAULT_FALLBACK_POLICY };
  if (!overrides) return table;
  const issues: { path: string; message: string }[] = [];
  for (const [trigger, action] of Object.entries(overrides) as [FallbackTrigger, FallbackAction][]) {
    if (action === undefined) continue;
    if (!FALLBACK_TRIGGERS.includes(trigger)) {
      issues.push({
        path: `policy.${trigger}`,
        message: `unknown trigger (one of ${FALLBACK_TRIGGERS.join(', ')})`,
      });
    } else if (!ACTIONS.includes(action)) {
      issues.push({ path: `policy.${trigger}`, message: `must be one of ${ACTIONS.join(', ')}` });
    } else if (trigger === 'aborted' && action !== 'stop') {
      issues.push({ path: 'policy.aborted', message: 'an aborted call always stops the chain' });
    } else {
      table[trigger] = action;
    }
  }
  if (issues.length > 0) throw new ConfigError('fallback policy', issues);
  return table;
}

/**
 * The trigger of an error a step threw, or undefined for anything that is not a Keypool step failure (a bug, a
 * configuration error, a stream interrupted after its first chunk): the chain rethrows those.
 */
export function triggerOf(error: unknown): FallbackTrigger | undefined {
  if (!KeypoolError.isInstance(error)) return undefined;
  if (PoolExhaustedError.isInstance(error)) return 'pool_exhausted';
  if (StreamInterruptedError.isInstance(error)) return undefined;
  if (ProviderError.isInstance(error)) {
    if (error.modelNotFound) return 'model_not_found';
    if (error.category === 'stream_interrupted') return undefined;
    return error.category;
  }
  return undefined;
}
