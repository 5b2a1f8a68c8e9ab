import type { AdaptiveLimiter } from './adaptive-limit';
import { DEFAULT_COOLDOWN } from './backoff';
import { formatPath, type KeyConfig, parseKeys } from './config';
import { ConfigError, type ConfigIssue } from './errors';
import { withFailureThresholds } from './failure-threshold';
import { resolvePolicy } from './policy';
import type { PoolSettings } from './pool-core';
import { optionProblems } from './pool-option-problems';
import { engineNumericOptionsSchema, poolNumericOptionsSchema } from './pool-option-schemas';
import type { KeyPoolOptions } from './pool-options';
import { retrySettings } from './retry-settings';
import type { Validator } from './validate';

/** A pool's or the lean engine's options: `adaptiveLimits` is a flag on a pool, a plug-in on the engine. */
export type AnyPoolOptions<TClient> = Omit<KeyPoolOptions<TClient>, 'adaptiveLimits'> & {
  adaptiveLimits?: boolean | AdaptiveLimiter;
};

/** Checks a pool's options and returns its keys, parsed; every bad field is a `ConfigError` naming its path. */
export function validatePoolOptions<TClient>(options: KeyPoolOptions<TClient>): KeyConfig[] {
  return checkOptions(options, poolNumericOptionsSchema);
}

function checkOptions<TClient>(options: AnyPoolOptions<TClient>, schema: Validator<unknown>): KeyConfig[] {
  if (!options || typeof options !== 'object')
    throw new ConfigError('pool options', [{ path: '', message: 'options must be an object' }]);
  if (!options.adapter)
    throw new ConfigError('pool options', [{ path: 'adapter', message: 'adapter is required' }]);
  const problems = optionProblems(schema, options);
  if (problems.length > 0)
    throw new ConfigError(
      'pool options',
      problems.map((problem) => ({ path: formatPath('', problem.path), message: problem.message })),
    );
  const keys = parseKeys(options.keys);
  return keys;
}

/**
 * The options only the full `KeyPool` takes: saved state, failure history and stream continuation. `PoolEngine`
 * refuses them with a `ConfigError` that names the full pool.
 */
export const KEY_POOL_ONLY_OPTIONS = [
  'initialState',
  'historySize',
  'onInterrupt',
  'continuation',
  'nativeStreams',
] as const;

/**
 * Checks the lean engine's options (`PoolEngine`) and returns its keys: the pool's rules, and the options only
 * `KeyPool` takes are refused with a `ConfigError` naming the full pool.
 */
export function validateEngineOptions<TClient>(options: AnyPoolOptions<TClient>): KeyConfig[] {
  const fullOnly =
    options && typeof options === 'object' ? KEY_POOL_ONLY_OPTIONS.filter((name) => name in options) : [];
  if (fullOnly.length > 0)
    throw new ConfigError(
      'pool options',
      fullOnly.map((name) => ({
        path: name,
        message: `${name} is an option of KeyPool (createKeyPool from @keypool/core); the lean PoolEngine has none`,
      })),
    );
  const keys = checkOptions(options, engineNumericOptionsSchema);
  const issues: ConfigIssue[] = [];
  const strategy = options.strategy;
  if (typeof strategy === 'string' && strategy !== 'health') {
    const factory = `${strategy.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase())}Selector`;
    issues.push(pluginIssue('strategy', 'a strategy other than health as a selector', `${factory}()`));
  }
  const adaptive: unknown = options.adaptiveLimits;
  if (adaptive !== undefined && adaptive !== false && typeof adaptive !== 'function')
    issues.push(pluginIssue('adaptiveLimits', 'adaptive limits as a plug-in', 'adaptiveLimiter()'));
  if (issues.length > 0) throw new ConfigError('pool options', issues);
  return keys;
}

/** A plug-in the lean engine takes as a value, not a name or a flag: which import to use instead. */
function pluginIssue(path: string, what: string, use: string): ConfigIssue {
  return { path, message: `the lean PoolEngine takes ${what}: ${path}: ${use} (from @keypool/core/engine)` };
}

/**
 * A pool's settings: its (validated) options over the defaults, with the adaptive-limit plug-in the pool resolved
 * (the engine takes it as a value; `KeyPool` builds it for `adaptiveLimits: true`).
 */
export function poolSettingsOf<TClient>(
  options: AnyPoolOptions<TClient>,
  adaptiveLimits: AdaptiveLimiter | undefined,
): PoolSettings {
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
    adaptiveLimits,
    maxClients: options.maxClients ?? 10_000,
    modelScope: options.modelScope,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
