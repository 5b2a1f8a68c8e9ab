import type { KeySnapshot } from '@keypool/core';

/** A key's state as `status` shows it at `now`, from a snapshot taken earlier. */
export interface KeyStatusLine {
  status: KeySnapshot['status'];
  cooldownRemainingMs: number | undefined;
}

/**
 * Brings a saved snapshot to `now`: a cooldown that has ended makes the key half-open (its next call is a probe, as
 * in the pool), a full window that has reset makes it active again; a disabled key stays disabled.
 */
export function keyStatusAt(snapshot: KeySnapshot, now: number): KeyStatusLine {
  if (snapshot.status === 'disabled') return { status: 'disabled', cooldownRemainingMs: undefined };
  if (snapshot.cooldownUntil !== undefined && snapshot.cooldownUntil > now)
    return { status: 'cooling', cooldownRemainingMs: snapshot.cooldownUntil - now };
  if (snapshot.status === 'cooling' || snapshot.status === 'half_open')
    return { status: 'half_open', cooldownRemainingMs: undefined };
  if (snapshot.status === 'limited' && (snapshot.blockedUntil ?? 0) > now)
    return { status: 'limited', cooldownRemainingMs: (snapshot.blockedUntil ?? now) - now };
  return { status: 'active', cooldownRemainingMs: undefined };
}

/** Failure counts as `rate_limit:3 auth:1`, or `-`. */
export function formatFailures(failures: KeySnapshot['counts']['failures']): string {
  const parts = Object.entries(failures)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([category, count]) => `${category}:${count}`);
  return parts.length === 0 ? '-' : parts.join(' ');
}
