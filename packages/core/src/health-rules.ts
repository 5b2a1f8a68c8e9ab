import type { ErrorCategory } from './categories';
import { ConfigError, type ConfigIssue } from './errors';

/** Where a rule looks: one key, one model of a pool (every key), or a whole pool. */
export type HealthScope = 'key' | 'model' | 'pool';

/** The health monitor's rules, by name. */
export type HealthRuleName =
  | 'consecutive_failures'
  | 'error_rate'
  | 'latency'
  | 'key_disabled'
  | 'capacity'
  | 'quota';

/** Options shared by the rules that read a window of recent calls. */
export interface WindowRuleOptions {
  /** The last M calls the rule reads. */
  lastCalls?: number;
  /** Calls older than T ms leave the window. */
  windowMs?: number;
  /** No verdict on fewer calls than this in the window. */
  minCalls?: number;
  /** Where the rule applies. */
  scopes?: readonly HealthScope[];
}

/**
 * The rules of a health monitor. Leave one out for its default; set it to `false` to turn it off. Defaults follow
 * the usual operating advice: 3 consecutive failures, an error rate above 20%, a p95 latency above 5 s.
 */
export interface HealthRules {
  /** N failures in a row (default 3, per key). Resolves on the next success. */
  consecutiveFailures?: false | { threshold?: number; scopes?: readonly HealthScope[] };
  /** Failures / calls above `threshold` (default 0.2) over the last 20 calls within 60 s, per key, model and pool. */
  errorRate?: false | (WindowRuleOptions & { threshold?: number });
  /** p95 of successful calls' latency above `p95Ms` (default 5,000) over the last 50 calls within 60 s. */
  latency?: false | (WindowRuleOptions & { p95Ms?: number });
  /** A key is disabled (revoked, leaked, by hand). Resolves when it is enabled again. */
  keyDisabled?: boolean;
  /** A pool's usable keys (active or half-open) fell below `minUsableFraction` (default 0.5) of its keys. */
  capacity?: false | { minUsableFraction?: number };
  /** A learned budget (rate-limit headers) has less than `minRemainingFraction` (default 0.1) left before reset. */
  quota?: false | { minRemainingFraction?: number };
  /** Failures of these categories say nothing about a key's health. Default: aborted, invalid_request,
   * context_length, content_filter, invalid_response. */
  ignoreCategories?: readonly ErrorCategory[];
}

/** `HealthRules` with every default filled in; a rule turned off is `undefined`. */
export interface ResolvedHealthRules {
  consecutiveFailures: { threshold: number; scopes: readonly HealthScope[] } | undefined;
  errorRate: (Required<WindowRuleOptions> & { threshold: number }) | undefined;
  latency: (Required<WindowRuleOptions> & { p95Ms: number }) | undefined;
  keyDisabled: boolean;
  capacity: { minUsableFraction: number } | undefined;
  quota: { minRemainingFraction: number } | undefined;
  ignoreCategories: ReadonlySet<string>;
}

/** The defaults, as numbers. */
export const DEFAULT_HEALTH_RULES = {
  consecutiveFailures: { threshold: 3, scopes: ['key'] as const },
  errorRate: {
    threshold: 0.2,
    lastCalls: 20,
    windowMs: 60_000,
    minCalls: 5,
    scopes: ['key', 'model', 'pool'] as const,
  },
  latency: {
    p95Ms: 5_000,
    lastCalls: 50,
    windowMs: 60_000,
    minCalls: 5,
    scopes: ['key', 'model', 'pool'] as const,
  },
  capacity: { minUsableFraction: 0.5 },
  quota: { minRemainingFraction: 0.1 },
  ignoreCategories: [
    'aborted',
    'invalid_request',
    'context_length',
    'content_filter',
    'invalid_response',
  ] as const,
};

const SCOPES: readonly string[] = ['key', 'model', 'pool'];

/** Fills in defaults and checks every number; throws a `ConfigError` naming each bad field. */
export function resolveHealthRules(rules: HealthRules = {}): ResolvedHealthRules {
  const issues: ConfigIssue[] = [];
  const number = (
    value: unknown,
    fallback: number,
    path: string,
    check: (n: number) => boolean,
    what: string,
  ) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
      issues.push({ path, message: `expected ${what}, got ${JSON.stringify(value)}` });
      return fallback;
    }
    return value;
  };
  const count = (value: unknown, fallback: number, path: string) =>
    number(value, fallback, path, (n) => Number.isInteger(n) && n >= 1, 'an integer of at least 1');
  const fraction = (value: unknown, fallback: number, path: string) =>
    number(value, fallback, path, (n) => n >= 0 && n <= 1, 'a fraction from 0 to 1');
  const scopes = (
    value: readonly HealthScope[] | undefined,
    fallback: readonly HealthScope[],
    path: string,
  ) => {
    if (value === undefined) return fallback;
    const bad = Array.isArray(value) ? value.filter((scope) => !SCOPES.includes(scope)) : [value];
    if (bad.length > 0)
      issues.push({ path, message: `expected some of key, model, pool, got ${JSON.stringify(value)}` });
    return bad.length > 0 ? fallback : value;
  };
  const window = (value: WindowRuleOptions, defaults: Required<WindowRuleOptions>, path: string) => ({
    lastCalls: count(value.lastCalls, defaults.lastCalls, `${path}.lastCalls`),
    windowMs: count(value.windowMs, defaults.windowMs, `${path}.windowMs`),
    minCalls: count(value.minCalls, defaults.minCalls, `${path}.minCalls`),
    scopes: scopes(value.scopes, defaults.scopes, `${path}.scopes`),
  });

  const d = DEFAULT_HEALTH_RULES;
  const consecutive = rules.consecutiveFailures === false ? undefined : (rules.consecutiveFailures ?? {});
  const errorRate = rules.errorRate === false ? undefined : (rules.errorRate ?? {});
  const latency = rules.latency === false ? undefined : (rules.latency ?? {});
  const capacity = rules.capacity === false ? undefined : (rules.capacity ?? {});
  const quota = rules.quota === false ? undefined : (rules.quota ?? {});
  const resolved: ResolvedHealthRules = {
    consecutiveFailures: consecutive && {
      threshold: count(
        consecutive.threshold,
        d.consecutiveFailures.threshold,
        'consecutiveFailures.threshold',
      ),
      scopes: scopes(consecutive.scopes, d.consecutiveFailures.scopes, 'consecutiveFailures.scopes'),
    },
    errorRate: errorRate && {
      ...window(errorRate, d.errorRate, 'errorRate'),
      threshold: fraction(errorRate.threshold, d.errorRate.threshold, 'errorRate.threshold'),
    },
    latency: latency && {
      ...window(latency, d.latency, 'latency'),
      p95Ms: number(latency.p95Ms, d.latency.p95Ms, 'latency.p95Ms', (n) => n > 0, 'a positive number of ms'),
    },
    keyDisabled: rules.keyDisabled !== false,
    capacity: capacity && {
      minUsableFraction: fraction(
        capacity.minUsableFraction,
        d.capacity.minUsableFraction,
        'capacity.minUsableFraction',
      ),
    },
    quota: quota && {
      minRemainingFraction: fraction(
        quota.minRemainingFraction,
        d.quota.minRemainingFraction,
        'quota.minRemainingFraction',
      ),
    },
    ignoreCategories: new Set(rules.ignoreCategories ?? d.ignoreCategories),
  };
  if (issues.length > 0) throw new ConfigError('health rules', issues);
  return resolved;
}
