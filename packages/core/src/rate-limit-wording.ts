import type { ClassifiedError } from './classified-error';
/** The two categories a rate-limit wording rule can give. */
export type RateLimitWordingCategory = 'rate_limit' | 'quota_exhausted';

/**
 * One rule of a rate-limit wording table: an answer whose status is one of `statuses` and whose provider code is one
 * of `codes` or whose text matches `wording` is classified as `category`. Rules are tried in order; the first match
 * wins, and every rule's codes are tried before any rule's wording.
 */
export interface RateLimitWordingRule {
  category: RateLimitWordingCategory;
  /** Provider codes or types (`RESOURCE_EXHAUSTED`, `rate_limit_exceeded`...), compared case-insensitively. */
  codes?: readonly string[];
  /** What the body says. */
  wording?: RegExp;
}

/**
 * A per-provider table for answers that are a rate limit without a 429: some providers and OpenAI-compatible hosts
 * send a 400, 403 or 503 whose body says "rate limit", "too many requests", "quota" or "RESOURCE_EXHAUSTED".
 */
export interface RateLimitWordingTable {
  /** The HTTP statuses the table applies to (a 429 is a rate limit by its status alone). */
  statuses: readonly number[];
  rules: readonly RateLimitWordingRule[];
}

/** What a provider's error mapper read from an HTTP answer. */
export interface RateLimitWordingFacts {
  status: number | undefined;
  /** The provider's codes or types (any of them may match). */
  codes: readonly (string | undefined)[];
  /** The provider's message or the raw body. */
  text: string;
}

/**
 * The default table: a 400, 403 or 503 with a rate-limit code or wording is `rate_limit`, with quota or
 * credit wording `quota_exhausted`. Per-minute wording ("quota ... per minute") stays a rate limit.
 */
export const DEFAULT_RATE_LIMIT_WORDING: RateLimitWordingTable = {
  statuses: [400, 403, 503],
  rules: [
    {
      category: 'quota_exhausted',
      codes: ['insufficient_quota', 'quota_exceeded', 'billing_hard_limit_reached', 'billing_error'],
    },
    {
      category: 'rate_limit',
      codes: ['RESOURCE_EXHAUSTED', 'rate_limit_exceeded', 'rate_limit_error', 'too_many_requests', '429'],
      wording:
        /rate[ _-]?limit|too many requests|RESOURCE_EXHAUSTED|rate exceeded|throttl|per[ -]minute|requests per (?:second|min)/i,
    },
    {
      category: 'quota_exhausted',
      wording: /quota|usage limit|credit balance|insufficient (?:funds|credit)/i,
    },
  ],
};

/**
 * Classifies an answer by status, then code, then wording through `table`: the category when the status is one the
 * table covers and a rule's code or wording matches, else `undefined` (the mapper's own rules decide). Pure.
 */
export function matchRateLimitWording(
  facts: RateLimitWordingFacts,
  table: RateLimitWordingTable = DEFAULT_RATE_LIMIT_WORDING,
): RateLimitWordingCategory | undefined {
  if (facts.status === undefined || !table.statuses.includes(facts.status)) return undefined;
  const codes = facts.codes
    .filter((code): code is string => typeof code === 'string' && code !== '')
    .map((code) => code.toLowerCase());
  for (const rule of table.rules) {
    if (rule.codes?.some((code) => codes.includes(code.toLowerCase()))) return rule.category;
  }
  for (const rule of table.rules) {
    if (rule.wording?.test(facts.text)) return rule.category;
  }
  return undefined;
}

/** A table built from `base` with `changes` applied: other statuses, and extra rules tried before the base's. */
export function extendRateLimitWording(
  base: RateLimitWordingTable,
  changes: { statuses?: readonly number[]; rules?: readonly RateLimitWordingRule[] },
): RateLimitWordingTable {
  return { statuses: changes.statuses ?? base.statuses, rules: [...(changes.rules ?? []), ...base.rules] };
}

/**
 * `adapter` classifying its errors with `table` instead of its provider's default (unchanged when `table` is
 * undefined). `classify` is the provider's mapper taking the table, e.g. `classifyMistralError`. Returns the adapter.
 */
export function withWording<TAdapter extends { classifyError(error: unknown): ClassifiedError }>(
  adapter: TAdapter,
  table: RateLimitWordingTable | undefined,
  classify: (error: unknown, table: RateLimitWordingTable) => ClassifiedError,
): TAdapter {
  if (table !== undefined) adapter.classifyError = (error: unknown) => classify(error, table);
  return adapter;
}
