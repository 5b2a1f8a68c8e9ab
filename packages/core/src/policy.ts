import type { ErrorCategory } from './categories';

/**
 * What a failure does to the key that saw it:
 * - `cooldown`: cool the key until the provider's hint, else an escalating jittered backoff;
 * - `quota`: a long cooldown (until the quota's reset, else the pool's `cooldown.quotaMs`);
 * - `disable`: disable the key, with the reason, until it is re-enabled;
 * - `none`: leave the key alone (the provider is busy, not the key).
 */
export type KeyEffect = 'cooldown' | 'quota' | 'disable' | 'none';

/**
 * What a failure does to the request:
 * - `next_key`: try another key at once;
 * - `retry`: wait a short jittered backoff, then try again (on the best key then), at most `retries` times for this
 *   category within one call; after that the call fails so a fallback chain can move on;
 * - `fail`: stop and throw; a fallback chain decides with its own table whether to move on.
 */
export type RequestEffect = 'next_key' | 'retry' | 'fail';

/** One row of the policy table. */
export interface PolicyRow {
  key: KeyEffect;
  request: RequestEffect;
  /** For `retry`: how many retries this category gets within one call. */
  retries?: number;
  /**
   * How many failures of this category in a row (no success between them, none further apart than the pool's
   * `failureResetMs`) a key takes before the `key` effect applies. Until then the key stays in rotation; the request
   * still follows `request`. Default: the pool's `failureThreshold`, else 1.
   */
  threshold?: number;
}

/** The whole table: one row per category. */
export type PolicyTable = Record<ErrorCategory, PolicyRow>;

/** Per-category overrides a pool accepts. */
export type PolicyOverrides = Partial<Record<ErrorCategory, Partial<PolicyRow>>>;

/** The default policy, from the design: what each category does to the key and to the request. */
export const DEFAULT_POLICY: Readonly<PolicyTable> = Object.freeze({
  rate_limit: { key: 'cooldown', request: 'next_key' },
  quota_exhausted: { key: 'quota', request: 'next_key' },
  auth: { key: 'disable', request: 'next_key' },
  overloaded: { key: 'none', request: 'retry', retries: 1 },
  server: { key: 'none', request: 'retry', retries: 1 },
  timeout: { key: 'none', request: 'fail' },
  network: { key: 'none', request: 'retry', retries: 1 },
  context_length: { key: 'none', request: 'fail' },
  content_filter: { key: 'none', request: 'fail' },
  invalid_request: { key: 'none', request: 'fail' },
  aborted: { key: 'none', request: 'fail' },
  // The answer arrived (and was billed) but the SDK could not parse or validate it: sending it again bills again
  // for an answer that would most likely fail the same way.
  invalid_response: { key: 'none', request: 'fail' },
  stream_interrupted: { key: 'none', request: 'fail' },
});

/** The default table with the given rows (or parts of rows) replaced. */
export function resolvePolicy(overrides: PolicyOverrides | undefined): PolicyTable {
  const table = { ...DEFAULT_POLICY } as PolicyTable;
  if (!overrides) return table;
  for (const [category, row] of Object.entries(overrides) as [ErrorCategory, Partial<PolicyRow>][]) {
    if (!(category in table)) throw new TypeError(`policy: unknown category "${category}"`);
    table[category] = { ...table[category], ...row };
  }
  return table;
}
