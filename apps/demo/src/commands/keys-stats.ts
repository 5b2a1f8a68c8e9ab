import type { FailureRecord, KeySnapshot } from '@keypool/core';
import { providerLabel } from '@keypool/keystore';
import type { CommandContext } from '../command-context';
import { formatDuration } from '../format-duration';
import { formatTable } from '../format-table';
import { formatFailures, keyStatusAt } from '../key-status-line';
import { formatProviderTotals, providerTotals } from '../provider-totals';
import { parseProvider } from '../providers';
import { type PoolSourceOptions, readPoolSnapshots } from '../read-pool-snapshots';
import { formatAgo } from '../status-rows';

/** `keys stats` / `report` options. */
export interface KeysStatsOptions extends PoolSourceOptions {
  json?: boolean;
}

/** One key's statistics. */
export interface KeyStats {
  provider: string;
  id: string;
  masked: string;
  status: KeySnapshot['status'];
  calls: number;
  successes: number;
  /** Failed attempts, all categories. */
  failed: number;
  /** Failed attempts by category. */
  failures: KeySnapshot['counts']['failures'];
  /** Failed attempts per call (0..1); null before the first call. */
  failureRate: number | null;
  cooldownRemainingMs?: number;
  reason?: string;
  latencyMs?: number;
  lastUsedAt?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
  /** Its most recent failure from the key's history (scrubbed message), when there is one. */
  lastFailure?: FailureRecord;
}

/** A key's statistics from its snapshot, brought to `now`. */
export function keyStatsOf(provider: string, key: KeySnapshot, now: number): KeyStats {
  const line = keyStatusAt(key, now);
  const failed = Object.values(key.counts.failures).reduce<number>((sum, count) => sum + (count ?? 0), 0);
  const stats: KeyStats = {
    provider,
    id: key.id,
    masked: key.masked,
    status: line.status,
    calls: key.counts.requests,
    successes: key.counts.successes,
    failed,
    failures: { ...key.counts.failures },
    failureRate:
      key.counts.requests > 0 ? Math.round((failed / key.counts.requests) * 10_000) / 10_000 : null,
  };
  if (line.cooldownRemainingMs !== undefined) stats.cooldownRemainingMs = line.cooldownRemainingMs;
  if (key.reason) stats.reason = key.reason;
  if (key.latencyEwmaMs !== undefined) stats.latencyMs = key.latencyEwmaMs;
  for (const field of ['lastUsedAt', 'lastSuccessAt', 'lastFailureAt'] as const)
    if (key[field] !== undefined) stats[field] = key[field];
  const last = key.history?.at(-1);
  if (last) stats.lastFailure = last;
  return stats;
}

/** A failure as one line: `auth 401 invalid_api_key: Incorrect API key provided...`. */
function describeFailure(failure: FailureRecord): string {
  const head = [failure.category, failure.status, failure.code]
    .filter((part) => part !== undefined)
    .join(' ');
  const message = failure.message.length > 120 ? `${failure.message.slice(0, 119)}…` : failure.message;
  return `${head}${failure.model ? ` on ${failure.model}` : ''}: ${message}`;
}

/**
 * `keypool keys stats [provider]` (also `keypool report`): per-key statistics (calls, failures by category,
 * failure rate, cooldown left, last used, last failure and why) and per-provider totals, from a saved state
 * (`--state`) or a running app's dashboard (`--url`). Text, or one JSON document with `--json`.
 */
export async function keysStats(
  { io, out }: CommandContext,
  providerArgument: string | undefined,
  options: KeysStatsOptions,
): Promise<number> {
  const provider = providerArgument === undefined ? undefined : parseProvider(providerArgument);
  const read = await readPoolSnapshots(io, options);
  const now = read.now;
  const keys = read.pools
    // Saved pools carry their label (Azure's is azure-openai).
    .filter((pool) => provider === undefined || pool.provider === providerLabel(provider))
    .flatMap((pool) => pool.keys.map((key) => keyStatsOf(pool.provider, key, now)));
  const totals = providerTotals(keys);
  out.json({ source: read.source, from: read.from, now, keys, totals });
  if (out.jsonMode) return 0;
  out.print(`key statistics from ${read.from}`);
  if (keys.length === 0) {
    out.print(`no keys${provider ? ` for ${provider}` : ''}`);
    return 0;
  }
  out.print(
    formatTable(
      [
        'PROVIDER',
        'ID',
        'KEY',
        'STATUS',
        'CALLS',
        'OK',
        'FAILED',
        'RATE',
        'FAILURES',
        'COOLDOWN',
        'LAST USED',
        'LAST FAILURE',
      ],
      keys.map((key) => [
        key.provider,
        key.id,
        key.masked,
        key.status,
        String(key.calls),
        String(key.successes),
        String(key.failed),
        key.failureRate === null ? '-' : `${(key.failureRate * 100).toFixed(1)}%`,
        formatFailures(key.failures),
        key.cooldownRemainingMs === undefined ? '-' : formatDuration(key.cooldownRemainingMs),
        formatAgo(key.lastUsedAt, now),
        formatAgo(key.lastFailureAt, now),
      ]),
    ),
  );
  const failed = keys.filter((key) => key.lastFailure !== undefined);
  if (failed.length > 0) {
    out.print('');
    out.print('last failure per key:');
    for (const key of failed)
      out.print(
        `  ${key.provider}/${key.id}  ${formatAgo(key.lastFailure?.at, now)}  ${describeFailure(key.lastFailure as FailureRecord)}`,
      );
  }
  out.print('');
  out.print('totals:');
  for (const line of formatProviderTotals(totals, now)) out.print(`  ${line}`);
  return 0;
}
