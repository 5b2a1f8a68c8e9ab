import { z } from 'zod';
import { ERROR_CATEGORIES } from './categories';
import { didYouMean } from './did-you-mean';
import { ConfigError, type ConfigIssue } from './errors';
import { headerUnsafe } from './header-unsafe';

const nonNegative = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .finite({ error: `${field} must be finite` })
    .min(0, { error: `${field} must be >= 0` });

/** Per-key proactive limits: requests per minute, tokens per minute, requests per day. */
export const keyLimitsSchema = z
  .object({
    rpm: nonNegative('rpm').optional(),
    tpm: nonNegative('tpm').optional(),
    rpd: nonNegative('rpd').optional(),
  })
  .strict();

/** One API key: a user-given id, the secret, and optional weight, limits, tags and quota group. */
export const keyConfigSchema = z
  .object({
    id: z
      .string({ error: 'id must be a string' })
      .trim()
      .min(1, { error: 'id must not be empty' })
      .max(200, { error: 'id must be at most 200 characters' }),
    secret: z
      .string({ error: 'secret must be a string' })
      .refine((value) => value.trim().length > 0, { error: 'secret must not be empty or whitespace' })
      .refine((value) => value === value.trim(), { error: 'secret must not start or end with whitespace' }),
    weight: z
      .number({ error: 'weight must be a number' })
      .finite()
      .gt(0, { error: 'weight must be > 0' })
      .optional(),
    limits: keyLimitsSchema.optional(),
    tags: z.array(z.string().min(1, { error: 'tags must not be empty strings' })).optional(),
    quotaGroup: z.string().trim().min(1, { error: 'quotaGroup must not be empty' }).optional(),
    enabled: z.boolean().optional(),
    models: z
      .array(
        z
          .string({ error: 'models must hold model names or patterns' })
          .trim()
          .min(1, { error: 'models must not hold empty names' }),
        { error: 'models must be a list of model names or patterns (e.g. ["gpt-4o", "gpt-4o-mini*"])' },
      )
      .min(1, { error: 'models must name at least one model (leave it out to allow every model)' })
      .optional(),
    priority: z
      .number({ error: 'priority must be a number' })
      .finite({ error: 'priority must be finite' })
      .min(0, { error: 'priority must be >= 0' })
      .optional(),
  })
  .strict()
  .superRefine((key, context) => {
    const problem = typeof key.secret === 'string' ? headerUnsafe(key.secret) : undefined;
    if (problem) {
      context.addIssue({
        code: 'custom',
        path: ['secret'],
        message: `the secret of key "${key.id}" ${problem}; a secret is sent in an HTTP header, which cannot carry it`,
      });
    }
  });

/** Limits per key. */
export type KeyLimits = z.infer<typeof keyLimitsSchema>;
/** One API key as the user configures it. */
export type KeyConfig = z.infer<typeof keyConfigSchema>;

/** A pool's keys: at least one, ids unique. */
export const keyListSchema = z
  .array(keyConfigSchema, { error: 'keys must be an array' })
  .min(1, { error: 'keys must hold at least one key' })
  .superRefine((keys, context) => {
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
  });

/** Cooldown bounds: escalating jittered backoff from `baseMs` up to `maxMs`; spent quotas cool for `quotaMs`. */
export const cooldownOptionsSchema = z
  .object({
    baseMs: nonNegative('baseMs').optional(),
    maxMs: nonNegative('maxMs').optional(),
    quotaMs: nonNegative('quotaMs').optional(),
    jitter: z.number().min(0).max(1, { error: 'jitter must be between 0 and 1' }).optional(),
  })
  .strict()
  .refine((value) => value.baseMs === undefined || value.maxMs === undefined || value.baseMs <= value.maxMs, {
    error: 'baseMs must be <= maxMs',
    path: ['baseMs'],
  });

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
];

/** What a failure may do to its key in a policy row (see `KeyEffect`). */
export const KEY_EFFECTS = ['cooldown', 'quota', 'disable', 'none'] as const;
/** What a failure may do to its request in a policy row (see `RequestEffect`). */
export const REQUEST_EFFECTS = ['next_key', 'retry', 'fail'] as const;
/** The fields of a policy row. */
export const POLICY_ROW_FIELDS = ['key', 'request', 'retries'] as const;

/** A policy override row key must be a real category. */
export const policyCategorySchema = z.enum(ERROR_CATEGORIES);

const oneOf = (field: string, values: readonly string[]) =>
  z.unknown().superRefine((value, context) => {
    if (typeof value === 'string' && values.includes(value)) return;
    const hint = typeof value === 'string' ? didYouMean(value, values) : undefined;
    context.addIssue({
      code: 'custom',
      message: `${field} must be one of ${values.join(', ')}${typeof value === 'string' ? `, not "${value}"` : ''}${hint ? ` (did you mean ${hint}?)` : ''}`,
    });
  });

/** One policy override row: known fields with known values. */
export const policyRowSchema = z
  .object({
    key: oneOf('key', KEY_EFFECTS).optional(),
    request: oneOf('request', REQUEST_EFFECTS).optional(),
    retries: z.number().int().min(0, { error: 'retries must be an integer >= 0' }).optional(),
  })
  .passthrough()
  .superRefine(unknownNames('policy row field', POLICY_ROW_FIELDS));

/** Policy overrides: rows for known categories only. */
export const policyOverridesSchema = z
  .record(z.string(), policyRowSchema, { error: 'policy must be an object of rows by category' })
  .superRefine(unknownNames('error category', ERROR_CATEGORIES));

/** The serialisable part of the pool options (functions and objects are checked by the pool itself). */
export const poolNumericOptionsSchema = z
  .object({
    maxAttempts: z.number().int().min(1, { error: 'maxAttempts must be >= 1' }).optional(),
    attemptTimeoutMs: z.number().gt(0, { error: 'attemptTimeoutMs must be > 0' }).optional(),
    deadlineMs: z.number().gt(0, { error: 'deadlineMs must be > 0' }).optional(),
    maxWaitMs: nonNegative('maxWaitMs').optional(),
    retryBaseMs: nonNegative('retryBaseMs').optional(),
    streamIdleTimeoutMs: z.number().gt(0, { error: 'streamIdleTimeoutMs must be > 0' }).optional(),
    windowMs: z.number().gt(0, { error: 'windowMs must be > 0' }).optional(),
    dayMs: z.number().gt(0, { error: 'dayMs must be > 0' }).optional(),
    firstByteTimeoutMs: z.number().gt(0, { error: 'firstByteTimeoutMs must be > 0' }).optional(),
    adaptiveLimits: z.boolean({ error: 'adaptiveLimits must be true or false' }).optional(),
    maxClients: z.number().int().min(1, { error: 'maxClients must be an integer >= 1' }).optional(),
    historySize: z
      .number()
      .int({ error: 'historySize must be an integer' })
      .min(0, { error: 'historySize must be >= 0' })
      .max(1_000, { error: 'historySize must be <= 1000' })
      .optional(),
    cooldown: cooldownOptionsSchema.optional(),
    policy: policyOverridesSchema.optional(),
  })
  .passthrough()
  .superRefine(unknownNames('pool option', POOL_OPTION_NAMES));

/** A check that reports every own property not in `known`, suggesting the nearest known name. */
function unknownNames(what: string, known: readonly string[]) {
  return (value: Record<string, unknown>, context: z.RefinementCtx) => {
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
export function toConfigIssues(error: z.ZodError, prefix = ''): ConfigIssue[] {
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
