import { ERROR_CATEGORIES } from './categories';
import { didYouMean } from './did-you-mean';
import { ConfigError, type ConfigIssue } from './errors';
import { headerUnsafe } from './header-unsafe';
import {
  array,
  boolean,
  custom,
  type IssuePath,
  number,
  object,
  optional,
  type Rule,
  record,
  string,
  type ValidationIssue,
  type Validator,
} from './validate';

// The pool's configuration is checked by core's own small validator (validate.ts), not a schema library: a pool
// bundles a few hundred bytes of checks. Every message names its field.

/** A rule: `field` must be >= `min`. */
export const atLeast = (field: string, min: number): Rule<number> => [
  (value) => value >= min,
  `${field} must be >= ${min}`,
];
/** A rule: `field` must be > `min`. */
export const above = (field: string, min: number): Rule<number> => [
  (value) => value > min,
  `${field} must be > ${min}`,
];

/** An optional number >= 0. */
export const nonNegative = (field: string) =>
  optional(number(`${field} must be a number`, [atLeast(field, 0)]));
/** An optional number > 0. */
export const positive = (field: string) => optional(number(`${field} must be a number`, [above(field, 0)]));
/** An optional integer >= `min`. */
export const integerAtLeast = (
  field: string,
  min: number,
  typeMessage = `${field} must be an integer >= ${min}`,
) =>
  optional(number(typeMessage, [[(value) => value >= min, `${field} must be an integer >= ${min}`]], true));

/** Limits per key: requests per minute, tokens per minute, requests per day. */
export interface KeyLimits {
  rpm?: number | undefined;
  tpm?: number | undefined;
  rpd?: number | undefined;
}

/** One API key as the user configures it: a user-given id, the secret, and optional settings. */
export interface KeyConfig {
  id: string;
  secret: string;
  weight?: number | undefined;
  limits?: KeyLimits | undefined;
  tags?: string[] | undefined;
  quotaGroup?: string | undefined;
  enabled?: boolean | undefined;
  models?: string[] | undefined;
  priority?: number | undefined;
}

const strict = (what: string) => ({ unknown: { what, listKnown: false } });

/** Per-key proactive limits: requests per minute, tokens per minute, requests per day. */
export const keyLimitsSchema: Validator<KeyLimits> = object<KeyLimits>(
  { rpm: nonNegative('rpm'), tpm: nonNegative('tpm'), rpd: nonNegative('rpd') },
  'limits must be an object of rpm, tpm and rpd',
  strict('limit'),
);

/** One API key: a user-given id, the secret, and optional weight, limits, tags and quota group. */
export const keyConfigSchema: Validator<KeyConfig> = object<KeyConfig>(
  {
    id: string(
      'id must be a string',
      [
        [(value) => value.length >= 1, 'id must not be empty'],
        [(value) => value.length <= 200, 'id must be at most 200 characters'],
      ],
      true,
    ),
    secret: string('secret must be a string', [
      [(value) => value.trim().length > 0, 'secret must not be empty or whitespace'],
      [(value) => value === value.trim(), 'secret must not start or end with whitespace'],
    ]),
    weight: positive('weight'),
    limits: optional(keyLimitsSchema),
    tags: optional(
      array(
        string('tags must hold strings', [[(value) => value.length >= 1, 'tags must not be empty strings']]),
        'tags must be a list of strings',
      ),
    ),
    quotaGroup: optional(
      string(
        'quotaGroup must be a string',
        [[(value) => value.length >= 1, 'quotaGroup must not be empty']],
        true,
      ),
    ),
    enabled: optional(boolean('enabled must be true or false')),
    models: optional(
      array(
        string(
          'models must hold model names or patterns',
          [[(value) => value.length >= 1, 'models must not hold empty names']],
          true,
        ),
        'models must be a list of model names or patterns (e.g. ["gpt-4o", "gpt-4o-mini*"])',
        [
          [
            (list) => list.length >= 1,
            'models must name at least one model (leave it out to allow every model)',
          ],
        ],
      ),
    ),
    priority: optional(number('priority must be a finite number', [atLeast('priority', 0)])),
  },
  'a key must be an object with id and secret',
  {
    ...strict('key field'),
    check(key, report) {
      const problem = typeof key.secret === 'string' ? headerUnsafe(key.secret) : undefined;
      if (problem)
        report(
          `the secret of key "${key.id}" ${problem}; a secret is sent in an HTTP header, which cannot carry it`,
          ['secret'],
        );
    },
  },
);

/** A pool's keys: at least one, ids unique. */
export const keyListSchema: Validator<KeyConfig[]> = array(
  keyConfigSchema,
  'keys must be an array',
  [[(keys) => keys.length >= 1, 'keys must hold at least one key']],
  (keys, report) => {
    const seen = new Map<string, number>();
    const secrets = new Map<string, number>();
    keys.forEach((key, index) => {
      const first = seen.get(key.id);
      if (first !== undefined) report(`duplicate key id "${key.id}" (also keys[${first}])`, [index, 'id']);
      else seen.set(key.id, index);
      const sameSecret = secrets.get(key.secret);
      if (sameSecret !== undefined)
        report(
          `key "${key.id}" has the same secret as keys[${sameSecret}] ("${keys[sameSecret]?.id}"); each secret belongs to one key`,
          [index, 'secret'],
        );
      else secrets.set(key.secret, index);
    });
  },
);

/** Cooldown bounds as the user gives them. */
export interface CooldownOptions {
  baseMs?: number | undefined;
  maxMs?: number | undefined;
  quotaMs?: number | undefined;
  factor?: number | undefined;
  jitter?: number | undefined;
}

/** The retry backoff as the user gives it. */
export interface RetryBackoffOptions {
  baseMs?: number | undefined;
  factor?: number | undefined;
  maxMs?: number | undefined;
  jitter?: number | undefined;
}

const jitterRules: Rule<number>[] = [
  [(value) => value >= 0, 'jitter must be between 0 and 1'],
  [(value) => value <= 1, 'jitter must be between 0 and 1'],
];

/** A bounded backoff: `baseMs` may not be above `maxMs`. */
const baseNotAboveMax = (
  value: { baseMs?: number | undefined; maxMs?: number | undefined },
  report: (message: string, path: IssuePath) => void,
) => {
  if (value.baseMs !== undefined && value.maxMs !== undefined && value.baseMs > value.maxMs)
    report('baseMs must be <= maxMs', ['baseMs']);
};

/** Cooldown bounds: escalating jittered backoff from `baseMs` up to `maxMs`; spent quotas cool for `quotaMs`. */
export const cooldownOptionsSchema: Validator<CooldownOptions> = object<CooldownOptions>(
  {
    baseMs: nonNegative('baseMs'),
    maxMs: nonNegative('maxMs'),
    quotaMs: nonNegative('quotaMs'),
    factor: optional(number('factor must be a number', [atLeast('factor', 1)])),
    jitter: optional(number('jitter must be a number', jitterRules)),
  },
  'cooldown must be an object of baseMs, maxMs, quotaMs, factor and jitter',
  { ...strict('cooldown option'), check: baseNotAboveMax },
);

/**
 * The retry backoff of `retry` rows (overloaded, server, network): the n-th retry waits
 * min(baseMs * factor^(n-1), maxMs), minus up to `jitter` of it.
 */
export const retryBackoffSchema: Validator<RetryBackoffOptions> = object<RetryBackoffOptions>(
  {
    baseMs: nonNegative('baseMs'),
    factor: optional(number('factor must be a finite number', [atLeast('factor', 1)])),
    maxMs: nonNegative('maxMs'),
    jitter: optional(number('jitter must be a number', jitterRules)),
  },
  'retryBackoff must be an object of baseMs, factor, maxMs and jitter',
  { ...strict('retryBackoff option'), check: baseNotAboveMax },
);

/** The names of the built-in selection strategies. */
export const STRATEGY_NAMES = [
  'health',
  'round-robin',
  'least-used',
  'weighted',
  'random',
  'latency',
  'priority',
] as const;
/** A built-in selection strategy's name. */
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * Every option a key pool accepts, by name. Any other name is a `ConfigError` ("did you mean ...?"). When you add an
 * option to `KeyPoolOptions`, add its name here (and a rule to `engineOptionShape` or `poolNumericOptionsSchema` in pool-option-schemas.ts if it is
 * a plain value).
 * Names listed ahead of their implementation are the engine's options being added in parallel.
 */
export const POOL_OPTION_NAMES: readonly string[] = [
  'adapter',
  'keys',
  'strategy',
  'policy',
  'cooldown',
  'maxAttempts',
  'attemptTimeoutMs',
  'deadlineMs',
  'maxWaitMs',
  'retryBaseMs',
  'streamIdleTimeoutMs',
  'windowMs',
  'dayMs',
  'store',
  'initialState',
  'now',
  'random',
  'firstByteTimeoutMs',
  'modelScope',
  'adaptiveLimits',
  'maxClients',
  'historySize',
  'failureThreshold',
  'failureResetMs',
  'retryBackoff',
  'onInterrupt',
  'continuation',
  'nativeStreams',
];

/** What `pool.stream` and `chain.stream` may do when a stream breaks after output reached the caller. */
export const INTERRUPT_MODES = ['continue', 'restart', 'fail'] as const;

/** The names of a pool's `continuation` settings. */
export const CONTINUATION_OPTION_NAMES = ['capabilities', 'maxContinuations', 'maxOverlapWords'] as const;

/** What a failure may do to its key in a policy row (see `KeyEffect`). */
export const KEY_EFFECTS = ['cooldown', 'quota', 'disable', 'none'] as const;
/** What a failure may do to its request in a policy row (see `RequestEffect`). */
export const REQUEST_EFFECTS = ['next_key', 'retry', 'fail'] as const;
/** The fields of a policy row. */
export const POLICY_ROW_FIELDS = ['key', 'request', 'retries', 'threshold'] as const;

/** A policy override row key must be a real category. */
export const policyCategorySchema: Validator<string> = /* @__PURE__ */ custom((value, report) => {
  if (typeof value !== 'string' || !(ERROR_CATEGORIES as readonly string[]).includes(value))
    report(`must be one of ${ERROR_CATEGORIES.join(', ')}`);
});

/** An optional string among `values` (with a did-you-mean hint). */
export const oneOf = (field: string, values: readonly string[]) =>
  optional(
    custom((value, report) => {
      if (typeof value === 'string' && values.includes(value)) return;
      const hint = typeof value === 'string' ? didYouMean(value, values) : undefined;
      report(
        `${field} must be one of ${values.join(', ')}${typeof value === 'string' ? `, not "${value}"` : ''}${hint ? ` (did you mean ${hint}?)` : ''}`,
      );
    }),
  );

/** One policy override row: known fields with known values. */
export const policyRowSchema = object(
  {
    key: oneOf('key', KEY_EFFECTS),
    request: oneOf('request', REQUEST_EFFECTS),
    retries: integerAtLeast('retries', 0),
    threshold: integerAtLeast('threshold', 1),
  },
  'a policy row must be an object of key, request, retries and threshold',
  { unknown: { what: 'policy row field' } },
);

/** Policy overrides: rows for known categories only. */
export const policyOverridesSchema = record(policyRowSchema, 'policy must be an object of rows by category', {
  what: 'error category',
  names: ERROR_CATEGORIES,
});

/** Turns validation issues into Keypool's own `ConfigIssue`s, with readable paths like `keys[2].limits.rpm`. */
export function toConfigIssues(error: { issues: readonly ValidationIssue[] }, prefix = ''): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(prefix, issue.path), message: issue.message }));
}

/** Formats a path as `a.b[2].c`. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/**
 * Validates a list of key configs. Throws a `ConfigError` naming every bad field (never a secret's value).
 * Returns the keys with ids trimmed.
 */
export function parseKeys(keys: unknown): KeyConfig[] {
  const result = keyListSchema.safeParse(keys);
  if (!result.success) throw new ConfigError('keys', toConfigIssues(result.error, 'keys'));
  return result.data;
}
