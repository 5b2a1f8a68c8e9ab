import type { AttemptRecord, KeyStateView, ReserveResult, StoreKey } from '@keypool/core';
import { decodeKeyState } from './key-state-codec';

/** A key's limits as script arguments ('' for a limit that is not set). */
export function limitsOf(key: StoreKey): (string | number)[] {
  const { rpm, tpm, rpd } = key.limits;
  return [rpm ?? '', tpm ?? '', rpd ?? ''];
}

/** The fingerprint and limits, as the per-key scripts take them. */
export function limitArgs(key: StoreKey): (string | number)[] {
  return [key.fingerprint, ...limitsOf(key)];
}

/**
 * A copy of a fallback view. The engine adjusts the views a networked store returns in place (in-flight, cooldown),
 * which must not reach the fallback's live state behind its back.
 */
export function copyView(view: KeyStateView): KeyStateView {
  return {
    ...view,
    usage: { ...view.usage },
    failures: { ...view.failures },
    ...(view.learned ? { learned: { ...view.learned } } : {}),
  };
}

/** True when an attempt cools or disables its key (what must reach every process, even after an outage). */
export function hasStatusEffect(attempt: AttemptRecord): boolean {
  return attempt.outcome === 'failure' && (attempt.cooldownUntil !== undefined || attempt.disable === true);
}

/** The reserve script's reply as a `ReserveResult`. */
export function decodeReserve(reply: unknown): ReserveResult {
  const [ok, why, retryAt, probe, encoded] = reply as [number, string, string, number, string];
  const view = decodeKeyState(encoded);
  if (ok === 1) return { ok: true, view, probe: probe === 1 };
  return {
    ok: false,
    view,
    retryAt: retryAt === 'inf' ? Number.POSITIVE_INFINITY : Number(retryAt),
    why: why as 'disabled' | 'cooling' | 'probing' | 'capacity',
  };
}

/** An error's message (or the thrown value as text). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
