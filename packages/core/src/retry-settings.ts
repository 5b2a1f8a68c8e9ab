import { ConfigError } from './errors';
import type { PoolSettings } from './pool-core';
import type { KeyPoolOptions } from './pool-options';

/** The retry backoff's settings: `retryBackoff` over the defaults (250 ms, doubling, 5 s cap, half jittered). */
export function retrySettings(
  options: Pick<KeyPoolOptions<unknown>, 'retryBaseMs' | 'retryBackoff'>,
): Pick<PoolSettings, 'retryBaseMs' | 'retryMaxMs' | 'retryFactor' | 'retryJitter'> {
  const backoff = options.retryBackoff ?? {};
  if (
    options.retryBaseMs !== undefined &&
    backoff.baseMs !== undefined &&
    options.retryBaseMs !== backoff.baseMs
  ) {
    throw new ConfigError('pool options', [
      {
        path: 'retryBackoff.baseMs',
        message: `retryBaseMs (${options.retryBaseMs}) and retryBackoff.baseMs (${backoff.baseMs}) differ; give one`,
      },
    ]);
  }
  const retryBaseMs = backoff.baseMs ?? options.retryBaseMs ?? 250;
  const retryMaxMs = backoff.maxMs ?? Math.max(5_000, retryBaseMs);
  return { retryBaseMs, retryMaxMs, retryFactor: backoff.factor ?? 2, retryJitter: backoff.jitter ?? 0.5 };
}
