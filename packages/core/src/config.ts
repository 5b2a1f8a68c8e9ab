// zod/mini: the same validation as zod's classic API, tree-shakable, so core stays small in edge bundles.
import * as z from 'zod/mini';
import { ERROR_CATEGORIES } from './categories';
import { ContinuationCapabilities } from './continuation-capabilities';
import { didYouMean } from './did-you-mean';
import { ConfigError, type ConfigIssue } from './errors';
import { headerUnsafe } from './header-unsafe';

const nonNegative = (field: string) =>
  z.number({ error: `${field} must be a number` }).check(z.gte(0, { error: `${field} must be >= 0` }));

const positive = (field: string) =>
  z.number({ error: `${field} must be a number` }).check(z.gt(0, { error: `${field} must be > 0` }));

/** Per-key proactive limits: requests per minute, tokens per minute, requests per day. */
export const keyLimitsSchema = z.strictObject({
  rpm: z.optional(nonNegative('rpm')),
  tpm: z.optional(nonNegative('tpm')),
  rpd: z.optional(nonNegative('rpd')),
});

/** One API key: a user-given id, the secret, and optional weight, limits, tags and quota group. */
export const keyConfigSchema = z
  .strictObject({
    id: z
      .string({ error: 'id must be a string' })
      .check(
        z.trim(),
        z.minLength(1, { error: 'id must not be empty' }),
        z.maxLength(200, { error: 'id must be at most 200 characters' }),
      ),
    secret: z.string({ error: 'secret must be a string' }).check(
      z.refine((value) => value.trim().length > 0, { error: 'secret must not be empty or whitespace' }),
      z.refine((value) => value === value.trim(), { error: 'secret must not start or end with whitespace' }),
    ),
    weight: z.optional(positive('weight')),
    limits: z.optional(keyLimitsSchema),
    tags: z.optional(z.array(z.string().check(z.minLength(1, { error: 'tags must not be empty strings' })))),
    quotaGroup: z.optional(
      z.string().check(z.trim(), z.minLength(1, { error: 'quotaGroup must not be empty' })),
    ),
    enabled: z.optional(z.boolean()),
    models: z.optional(
      z
        .array(
          z
            .string({ error: 'models must hold model names or patterns' })
            .check(z.trim(), z.minLength(1, { error: 'models must not hold empty names' })),
          { error: 'models must be a list of model names or patterns (e.g. ["gpt-4o", "gpt-4o-mini*"])' },
        )
        .check(
          z.minLength(1, {
            error: 'models must name at least one model (leave it out to allow every model)',
          }),
        ),
    ),
    priority: z.optional(
      z
        .number({ error: 'priority must be a number' })
        .check(
          z.refine(Number.isFinite, { error: 'priority must be finite' }),
          z.gte(0, { error: 'priority must be >= 0' }),
        ),
    ),
  })
  .check(
    z.superRefine((key, context) => {
      const problem = typeof key.secret === 'string' ? headerUnsafe(key.secret) : undefined;
      if (problem) {
        context.addIssue({
          code: 'custom',
          path: ['secret'],
          message: `the secret of key "${key.id}" ${problem}; a secret is sent in an HTTP header, which cannot carry it`,
        });
      }
    }),
  );

/** Limits per key. */
export type KeyLimits = z.infer<typeof keyLimitsSchema>;
/** One API key as the user configures it. */
export type KeyConfig = z.infer<typeof keyConfigSchema>;

/** A pool's keys: at least one, ids unique. */
export const keyListSchema = z.array(keyConfigSchema, { error: 'keys must be an array' }).check(
  z.minLength(1, { error: 'keys must hold at least one key' }),
  z.superRefine((keys, context) => {
    const seen = new Map<string, number>();
    const secrets = new Map<string, number>();
    keys.forEach((key, index) => {
      const first = seen.get(key.id);
      if (first !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [index, 'id'],
          message: `duplicate key id "${key.id}" (also keys[${first}])`,
        });
      } else seen.set(key.id, index);
      const sameSecret = secrets.get(key.secret);
      if (sameSecret !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [index, 'secret'],
          message: `key "${key.id}" has the same secret as keys[${sameSecret}] ("${keys[sameSecret]?.id}"); each secret belongs to one key`,
        });
      } else secrets.set(key.secret, index);
    });
  }),
);

/** Cooldown bounds: escalating jittered backoff from `baseMs` up to `maxMs`; spent quotas cool for `quotaMs`. */
export const cooldownOptionsSchema = z
  .strictObject({
    baseMs: z.optional(nonNegative('baseMs')),
    maxMs: z.optional(nonNegative('maxMs')),
    quotaMs: z.optional(nonNegative('quotaMs')),
    factor: z.optional(z.number().check(z.gte(1, { error: 'factor must be >= 1' }))),
    jitter: z.optional(z.number().check(z.gte(0), z.lte(1, { error: 'jitter must be between 0 and 1' }))),
  })
  .check(
    z.refine(
      (value) => value.baseMs === undefined || value.maxMs === undefined || value.baseMs <= value.maxMs,
      {
        error: 'baseMs must be <= maxMs',
        path: ['baseMs'],
      },
    ),
  );

/**
 * The retry backoff of `retry` rows (overloaded, server, network): the n-th retry waits
 * min(baseMs * factor^(n-1), maxMs), minus up to `jitter` of it.
 */
export const retryBackoffSchema = z
  .strictObject({
    baseMs: z.optional(nonNegative('baseMs')),
    factor: z.optional(
      z
        .number({ error: 'factor must be a number' })
        .check(
          z.gte(1, { error: 'factor must be >= 1' }),
          z.refine(Number.isFinite, { error: 'factor must be finite' }),
        ),
    ),
    maxMs: z.optional(nonNegative('maxMs')),
    jitter: z.optional(
      z
        .number({ error: 'jitter must be a number' })
        .check(
          z.gte(0, { error: 'jitter must be between 0 and 1' }),
          z.lte(1, { error: 'jitter must be between 0 and 1' }),
        ),
    ),
  })
  .check(
    z.refine(
      (value) => value.baseMs === undefined || value.maxMs === undefined || value.baseMs <= value.maxMs,
      { error: 'baseMs must be <= maxMs', path: ['baseMs'] },
    ),
  );

/** The retry backoff as the user gives it. */
export type RetryBackoffOptions = z.infer<typeof retryBackoffSchema>;

/** Cooldown bounds as the user gives them. */
export type CooldownOptions = z.infer<typeof cooldownOptionsSchema>;

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
 * option to `KeyPoolOptions`, add its name here (and a rule to `poolNumericOptionsSchema` if it is a plain value).
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
export const policyCategorySchema = z.enum(ERROR_CATEGORIES);

const oneOf = (field: string, values: readonly string[]) =>
  z.unknown().check(
    z.superRefine((value, context) => {
      if (typeof value === 'string' && values.includes(value)) return;
      const hint = typeof value === 'string' ? didYouMean(value, values) : undefined;
      context.addIssue({
        code: 'custom',
        message: `${field} must be one of ${values.join(', ')}${typeof value === 'string' ? `, not "${value}"` : ''}${hint ? ` (did you mean ${hint}?)` : ''}`,
      });
    }),
  );

/** One policy override row: known fields with known values. */
export const policyRowSchema = z
  .looseObject({
    key: z.optional(oneOf('key', KEY_EFFECTS)),
    request: z.optional(oneOf('request', REQUEST_EFFECTS)),
    retries: z.optional(z.int().check(z.gte(0, { error: 'retries must be an integer >= 0' }))),
    threshold: z.optional(z.int().check(z.gte(1, { error: 'threshold must be an integer >= 1' }))),
  })
  .check(z.superRefine(unknownNames('policy row field', POLICY_ROW_FIELDS)));

/** Policy overrides: rows for known categories only. */
export const policyOverridesSchema = z
  .record(z.string(), policyRowSchema, { error: 'policy must be an object of rows by category' })
  .check(z.superRefine(unknownNames('error category', ERROR_CATEGORIES)));

const METHODS = ['prefill', 'restart'];

/** A pool's `continuation` settings: a capability table (rules or a shared table) and two bounds. */
export const continuationOptionsSchema = z
  .looseObject({
    capabilities: z.optional(
      z.unknown().check(
        z.superRefine((value, context) => {
          if (value instanceof ContinuationCapabilities) return;
          if (!Array.isArray(value)) {
            context.addIssue({
              code: 'custom',
              message: 'capabilities must be an array of rules or a table',
            });
            return;
          }
          value.forEach((rule: { method?: unknown } | null, index) => {
            if (typeof rule?.method !== 'string' || !METHODS.includes(rule.method))
              context.addIssue({
                code: 'custom',
                path: [index, 'method'],
                message: 'method must be "prefill" or "restart"',
              });
          });
        }),
      ),
    ),
    maxContinuations: z.optional(
      z.int().check(z.gte(0, { error: 'maxContinuations must be an integer >= 0' })),
    ),
    maxOverlapWords: z.optional(
      z.int().check(z.gte(0, { error: 'maxOverlapWords must be an integer >= 0' })),
    ),
  })
  .check(z.superRefine(unknownNames('continuation option', CONTINUATION_OPTION_NAMES)));

/** The serialisable part of the pool options (functions and objects are checked by the pool itself). */
export const poolNumericOptionsSchema = z
  .looseObject({
    maxAttempts: z.optional(z.int().check(z.gte(1, { error: 'maxAttempts must be >= 1' }))),
    attemptTimeoutMs: z.optional(z.number().check(z.gt(0, { error: 'attemptTimeoutMs must be > 0' }))),
    deadlineMs: z.optional(z.number().check(z.gt(0, { error: 'deadlineMs must be > 0' }))),
    maxWaitMs: z.optional(nonNegative('maxWaitMs')),
    retryBaseMs: z.optional(nonNegative('retryBaseMs')),
    streamIdleTimeoutMs: z.optional(z.number().check(z.gt(0, { error: 'streamIdleTimeoutMs must be > 0' }))),
    windowMs: z.optional(z.number().check(z.gt(0, { error: 'windowMs must be > 0' }))),
    dayMs: z.optional(z.number().check(z.gt(0, { error: 'dayMs must be > 0' }))),
    firstByteTimeoutMs: z.optional(z.number().check(z.gt(0, { error: 'firstByteTimeoutMs must be > 0' }))),
    adaptiveLimits: z.optional(z.boolean({ error: 'adaptiveLimits must be true or false' })),
    maxClients: z.optional(z.int().check(z.gte(1, { error: 'maxClients must be an integer >= 1' }))),
    historySize: z.optional(
      z
        .int({ error: 'historySize must be an integer' })
        .check(
          z.gte(0, { error: 'historySize must be >= 0' }),
          z.lte(1_000, { error: 'historySize must be <= 1000' }),
        ),
    ),
    failureThreshold: z.optional(
      z
        .int({ error: 'failureThreshold must be an integer >= 1' })
        .check(z.gte(1, { error: 'failureThreshold must be an integer >= 1' })),
    ),
    failureResetMs: z.optional(
      z
        .number({ error: 'failureResetMs must be a number' })
        .check(z.gt(0, { error: 'failureResetMs must be > 0' })),
    ),
    retryBackoff: z.optional(retryBackoffSchema),
    cooldown: z.optional(cooldownOptionsSchema),
    policy: z.optional(policyOverridesSchema),
    onInterrupt: z.optional(oneOf('onInterrupt', INTERRUPT_MODES)),
    continuation: z.optional(continuationOptionsSchema),
    nativeStreams: z.optional(
      z
        .looseObject({ onInterrupt: z.optional(oneOf('onInterrupt', INTERRUPT_MODES)) })
        .check(z.superRefine(unknownNames('nativeStreams option', ['onInterrupt']))),
    ),
  })
  .check(z.superRefine(unknownNames('pool option', POOL_OPTION_NAMES)));

/** A check that reports every own property not in `known`, suggesting the nearest known name. */
function unknownNames(what: string, known: readonly string[]) {
  return (value: Record<string, unknown>, context: z.core.$RefinementCtx) => {
    for (const name of Object.keys(value)) {
      if (known.includes(name)) continue;
      const hint = didYouMean(name, known);
      context.addIssue({
        code: 'custom',
        path: [name],
        message: `unknown ${what} "${name}"${hint ? ` (did you mean ${hint}?)` : ` (known: ${known.join(', ')})`}`,
      });
    }
  };
}

/** Turns zod issues into Keypool's own `ConfigIssue`s, with readable paths like `keys[2].limits.rpm`. */
export function toConfigIssues(error: z.core.$ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(prefix, issue.path), message: issue.message }));
}

/** Formats a zod path as `a.b[2].c`. */
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
