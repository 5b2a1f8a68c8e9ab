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
  };
}

/** True for what `pool.toJSON()` returns. */
export function isPoolState(value: unknown): value is PoolState {
  const state = value as Partial<PoolState> | null;
  return state?.version === 1 && typeof state.provider === 'string' && Array.isArray(state.keys);
}

/** The status table. */
export function formatStatusTable(rows: readonly StatusRow[]): string {
  return formatTable(
    ['PROVIDER', 'ID', 'KEY', 'STATUS', 'COOLDOWN', 'CALLS', 'OK', 'FAILURES', 'LATENCY', 'REASON'],
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
      row.reason ?? '',
    ]),
  );
}
