import { z } from 'zod';
import { ERROR_CATEGORIES } from './categories';
import { ConfigError, type ConfigIssue } from './errors';

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
  })
  .strict();

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
    keys.forEach((key, index) => {
      const first = seen.get(key.id);
      if (first !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [index, 'id'],
          message: `duplicate key id "${key.id}" (also keys[${first}])`,
        });
      } else seen.set(key.id, index);
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
] as const;
/** A built-in selection strategy's name. */
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** The serialisable part of the pool options (functions and objects are checked by the pool itself). */
export const poolNumericOptionsSchema = z
  .object({
    maxAttempts: z.number().int().min(1, { error: 'maxAttempts must be >= 1' }).optional(),
    attemptTimeoutMs: z.number().gt(0, { error: 'attemptTimeoutMs must be > 0' }).optional(),
    deadlineMs: z.number().gt(0, { error: 'deadlineMs must be > 0' }).optional(),
    maxWaitMs: nonNegative('maxWaitMs').optional(),
    windowMs: z.number().gt(0, { error: 'windowMs must be > 0' }).optional(),
    dayMs: z.number().gt(0, { error: 'dayMs must be > 0' }).optional(),
    firstByteTimeoutMs: z.number().gt(0, { error: 'firstByteTimeoutMs must be > 0' }).optional(),
    retryBaseMs: nonNegative('retryBaseMs').optional(),
    streamIdleTimeoutMs: z.number().gt(0, { error: 'streamIdleTimeoutMs must be > 0' }).optional(),
    adaptiveLimits: z.boolean({ error: 'adaptiveLimits must be true or false' }).optional(),
    cooldown: cooldownOptionsSchema.optional(),
  })
  .passthrough();

/** A policy override row key must be a real category. */
export const policyCategorySchema = z.enum(ERROR_CATEGORIES);

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
