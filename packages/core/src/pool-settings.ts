import { DEFAULT_COOLDOWN } from './backoff';
import {
  type KeyConfig,
  parseKeys,
  poolNumericOptionsSchema,
  STRATEGY_NAMES,
  toConfigIssues,
} from './config';
import { ConfigError } from './errors';
import { withFailureThresholds } from './failure-threshold';
import { resolvePolicy } from './policy';
import type { PoolSettings } from './pool-core';
import type { KeyPoolOptions } from './pool-options';
import { retrySettings } from './retry-settings';

/** Checks a pool's options and returns its keys, parsed; every bad field is a `ConfigError` naming its path. */
export function validatePoolOptions<TClient>(options: KeyPoolOptions<TClient>): KeyConfig[] {
  if (!options || typeof options !== 'object')
    throw new ConfigError('pool options', [{ path: '', message: 'options must be an object' }]);
  if (!options.adapter)
    throw new ConfigError('pool options', [{ path: 'adapter', message: 'adapter is required' }]);
  const numeric = poolNumericOptionsSchema.safeParse(options);
  if (!numeric.success) throw new ConfigError('pool options', toConfigIssues(numeric.error));
  const keys = parseKeys(options.keys);
  if (
    typeof options.strategy === 'string' &&
    !(STRATEGY_NAMES as readonly string[]).includes(options.strategy)
  ) {
    throw new ConfigError('pool options', [
      {
        path: 'strategy',
        message: `unknown strategy "${options.strategy}" (one of ${STRATEGY_NAMES.join(', ')})`,
      },
    ]);
  }
  return keys;
}

/** A pool's settings: its (validated) options over the defaults. */
export function poolSettingsOf<TClient>(options: KeyPoolOptions<TClient>): PoolSettings {
  const windowMs = options.windowMs ?? 60_000;
  return {
    policy: withFailureThresholds(resolvePolicy(options.policy), options.failureThreshold),
    cooldown: { ...DEFAULT_COOLDOWN, ...stripUndefined(options.cooldown ?? {}) },
    windows: { minuteMs: windowMs, dayMs: options.dayMs ?? 86_400_000 },
    maxAttempts: options.maxAttempts,
    attemptTimeoutMs: options.attemptTimeoutMs,
    deadlineMs: options.deadlineMs ?? 60_000,
    maxWaitMs: options.maxWaitMs ?? 3_000,
    ...retrySettings(options),
    failureResetMs: options.failureResetMs,
    streamIdleTimeoutMs: options.streamIdleTimeoutMs,
    firstByteTimeoutMs: options.firstByteTimeoutMs ?? 30_000,
    adaptiveLimits: options.adaptiveLimits ?? true,
    maxClients: options.maxClients ?? 10_000,
    modelScope: options.modelScope,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
