import type { KeySnapshot, PersistedKeyState, PoolState } from '@keypool/core';
import { formatDuration } from './format-duration';
import { formatTable } from './format-table';
import { formatFailures, keyStatusAt } from './key-status-line';

/** One key as `status` shows it, whatever it was read from. */
export interface StatusRow {
  provider: string;
  id: string;
  masked: string;
  status: string;
  cooldownRemainingMs?: number;
  reason?: string;
  calls: number;
  successes: number;
  failures: KeySnapshot['counts']['failures'];
  latencyMs?: number;
  /** When an attempt on it last ended (epoch ms). */
  lastUsedAt?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
}

/** The key's last-used, last-success and last-failure times, for a row. */
function lastTimes(from: {
  lastUsedAt?: number | undefined;
  lastSuccessAt?: number | undefined;
  lastFailureAt?: number | undefined;
}): Pick<StatusRow, 'lastUsedAt' | 'lastSuccessAt' | 'lastFailureAt'> {
  return {
    ...(from.lastUsedAt === undefined ? {} : { lastUsedAt: from.lastUsedAt }),
    ...(from.lastSuccessAt === undefined ? {} : { lastSuccessAt: from.lastSuccessAt }),
    ...(from.lastFailureAt === undefined ? {} : { lastFailureAt: from.lastFailureAt }),
  };
}

/** How long ago a time was, `3.2s ago`, or `-` for never. */
export function formatAgo(at: number | undefined, now: number): string {
  if (at === undefined) return '-';
  return `${formatDuration(Math.max(0, now - at))} ago`;
}

/** A row from a key's snapshot, brought to `now`. */
export function rowFromSnapshot(provider: string, snapshot: KeySnapshot, now: number): StatusRow {
  const line = keyStatusAt(snapshot, now);
  return {
    provider,
    id: snapshot.id,
    masked: snapshot.masked,
    status: line.status,
    ...(line.cooldownRemainingMs === undefined ? {} : { cooldownRemainingMs: line.cooldownRemainingMs }),
    ...(snapshot.reason ? { reason: snapshot.reason } : {}),
    calls: snapshot.counts.requests,
    successes: snapshot.counts.successes,
    failures: snapshot.counts.failures,
    ...(snapshot.latencyEwmaMs === undefined ? {} : { latencyMs: snapshot.latencyEwmaMs }),
    ...lastTimes(snapshot),
  };
}

/**
 * A row from what `pool.toJSON()` saved for a key. It holds no masked secret (only a fingerprint), so the key
 * column shows the fingerprint's start.
 */
export function rowFromPersisted(
  provider: string,
  key: { id: string; fingerprint: string; state: PersistedKeyState },
  now: number,
): StatusRow {
  const state = key.state;
  const cooling = state.status !== 'disabled' && state.cooldownUntil > now;
  return {
    provider,
    id: key.id,
    masked: `#${key.fingerprint.slice(0, 8)}`,
    status:
      state.status === 'disabled'
        ? 'disabled'
        : cooling
          ? 'cooling'
          : state.cooldownUntil > 0
            ? 'half_open'
            : 'active',
    ...(cooling ? { cooldownRemainingMs: state.cooldownUntil - now } : {}),
    ...(state.reason ? { reason: state.reason } : {}),
    calls: state.requests,
    successes: state.successes,
    failures: state.failures,
    ...(state.latencyEwmaMs === undefined ? {} : { latencyMs: state.latencyEwmaMs }),
    ...lastTimes(state),
  };
}

/** True for what `pool.toJSON()` returns. */
export function isPoolState(value: unknown): value is PoolState {
  const state = value as Partial<PoolState> | null;
  return state?.version === 1 && typeof state.provider === 'string' && Array.isArray(state.keys);
}

/** The status table; `now` dates the LAST USED and LAST FAILURE columns. */
export function formatStatusTable(rows: readonly StatusRow[], now = Date.now()): string {
  return formatTable(
    [
      'PROVIDER',
      'ID',
      'KEY',
      'STATUS',
      'COOLDOWN',
      'CALLS',
      'OK',
      'FAILURES',
      'LATENCY',
      'LAST USED',
      'LAST FAILURE',
      'REASON',
    ],
    rows.map((row) => [
      row.provider,
      row.id,
      row.masked,
      row.status,
      row.cooldownRemainingMs === undefined ? '-' : formatDuration(row.cooldownRemainingMs),
      String(row.calls),
      String(row.successes),
      formatFailures(row.failures),
      row.latencyMs === undefined ? '-' : formatDuration(row.latencyMs),
      formatAgo(row.lastUsedAt, now),
      formatAgo(row.lastFailureAt, now),
      row.reason ?? '',
    ]),
  );
}
