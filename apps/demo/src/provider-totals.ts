import type { KeySnapshot } from '@keypool/core';
import { formatFailures } from './key-status-line';
import { formatAgo } from './status-rows';

/** One provider's keys added up. */
export interface ProviderTotals {
  provider: string;
  keys: number;
  /** Keys by status (`active`, `cooling`, `disabled`, ...). */
  statuses: Record<string, number>;
  calls: number;
  successes: number;
  failures: KeySnapshot['counts']['failures'];
  lastUsedAt?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
}

/** What a row needs to count towards its provider's totals. */
export interface CountedRow {
  provider: string;
  status: string;
  calls: number;
  successes: number;
  failures: KeySnapshot['counts']['failures'];
  lastUsedAt?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
}

/** Adds the rows up per provider, in the order providers first appear. */
export function providerTotals(rows: readonly CountedRow[]): ProviderTotals[] {
  const byProvider = new Map<string, ProviderTotals>();
  for (const row of rows) {
    let totals = byProvider.get(row.provider);
    if (!totals) {
      totals = { provider: row.provider, keys: 0, statuses: {}, calls: 0, successes: 0, failures: {} };
      byProvider.set(row.provider, totals);
    }
    totals.keys++;
    totals.statuses[row.status] = (totals.statuses[row.status] ?? 0) + 1;
    totals.calls += row.calls;
    totals.successes += row.successes;
    for (const [category, count] of Object.entries(row.failures) as [keyof typeof row.failures, number][])
      totals.failures[category] = (totals.failures[category] ?? 0) + count;
    for (const field of ['lastUsedAt', 'lastSuccessAt', 'lastFailureAt'] as const) {
      const at = row[field];
      if (at !== undefined && (totals[field] === undefined || at > (totals[field] as number)))
        totals[field] = at;
    }
  }
  return [...byProvider.values()];
}

/** One line per provider: `openai: 4 keys (3 active, 1 disabled), 120 calls, 117 ok, failures auth:1, last used 2.0s ago`. */
export function formatProviderTotals(totals: readonly ProviderTotals[], now: number): string[] {
  return totals.map((total) => {
    const statuses = Object.entries(total.statuses)
      .map(([status, count]) => `${count} ${status}`)
      .join(', ');
    return (
      `${total.provider}: ${total.keys} key${total.keys === 1 ? '' : 's'} (${statuses}), ${total.calls} calls, ` +
      `${total.successes} ok, failures ${formatFailures(total.failures)}, last used ${formatAgo(total.lastUsedAt, now)}, ` +
      `last failure ${formatAgo(total.lastFailureAt, now)}`
    );
  });
}
