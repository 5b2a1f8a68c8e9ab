import { PoolExhaustedError, ProviderError } from './errors';
import type { CallState, PoolCore } from './pool-core';
import { snapshotKeys } from './pool-state';

/** Throws (and records) an `aborted` error when the caller's signal has fired. */
export function throwIfAborted<T>(
  core: PoolCore<T>,
  signal: AbortSignal | undefined,
  errors: ProviderError[],
): void {
  if (!signal?.aborted) return;
  const error = new ProviderError({
    category: 'aborted',
    message: 'the caller aborted the call',
    provider: core.provider,
  });
  errors.push(error);
  throw error;
}

/**
 * The error for a call the pool cannot serve: when the call's model scope is expected back (`retryAfterMs`), every
 * key's state, and every attempt's failure.
 */
export function exhausted<T>(
  core: PoolCore<T>,
  call: CallState,
  reason: PoolExhaustedError['reason'],
  freeAt?: number,
): PoolExhaustedError {
  const now = core.now();
  const earliest = freeAt ?? call.index.earliest(now);
  const retryAfterMs = Number.isFinite(earliest) ? Math.max(0, Math.ceil(earliest - now)) : undefined;
  core.emit('pool.exhausted', { provider: core.provider, retryAfterMs, reason }, call.model);
  return new PoolExhaustedError({
    provider: core.provider,
    retryAfterMs,
    keys: snapshotKeys(core),
    errors: call.errors,
    reason,
  });
}
