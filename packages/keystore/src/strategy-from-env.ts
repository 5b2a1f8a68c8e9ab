import { EnvKeysError } from './env-keys-error';
import { POOL_STRATEGIES, type PoolStrategy } from './pool-options';

/**
 * Reads the pool strategy from `KEYPOOL_STRATEGY` (trimmed, case-insensitive), or `undefined` when it is unset or
 * empty.
 *
 * @throws {EnvKeysError} with code `env_invalid_value` when the value is not one of `POOL_STRATEGIES`.
 */
export function strategyFromEnv(
  env: Record<string, string | undefined> = process.env,
): PoolStrategy | undefined {
  const raw = env.KEYPOOL_STRATEGY?.trim().toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if ((POOL_STRATEGIES as readonly string[]).includes(raw)) return raw as PoolStrategy;
  throw new EnvKeysError(
    [{ variable: 'KEYPOOL_STRATEGY', message: `must be one of ${POOL_STRATEGIES.join(', ')}` }],
    'env_invalid_value',
  );
}
