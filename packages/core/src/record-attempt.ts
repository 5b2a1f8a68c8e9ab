import type { ErrorCategory } from './categories';
import type { KeyScope } from './key-scope';
import type { Lease, PoolCore } from './pool-core';
import type { AttemptOutcome } from './pool-options';
import type { RateLimitInfo } from './rate-limit-info';
import type { AttemptRecord, RecordResult } from './state-store';

/** Writes an attempt's end to its scope's store entry (synchronously with the in-memory store). */
export function record<T>(
  core: PoolCore<T>,
  lease: Lease,
  outcome: {
    outcome: 'success' | 'failure';
    category?: ErrorCategory;
    cooldownUntil?: number;
    reason?: string;
    /** The same scope of the other keys of its quota group, cooled with it. */
    group?: KeyScope[];
  },
  now = core.now(),
): RecordResult | undefined {
  if (lease.onAttempt) {
    const ended: AttemptOutcome = {
      keyId: lease.key.id,
      masked: lease.key.masked,
      attempt: lease.attempt,
      outcome: outcome.outcome,
      startedAt: lease.startedAt,
      durationMs: now - lease.startedAt,
    };
    if (outcome.category) ended.category = outcome.category;
    try {
      lease.onAttempt(ended);
    } catch {
      // A caller's hook must not break the call.
    }
  }
  const key = lease.key;
  let learned = key.pendingLearned || lease.learned ? { ...key.pendingLearned, ...lease.learned } : undefined;
  key.pendingLearned = undefined;
  const gate = lease.item.probeGate;
  if (gate?.probing && now >= gate.at) lease.item.probeGate = undefined;
  if (learned && lease.startedAt <= lease.item.limitedAt && lease.item.retryAt > now) {
    // An answer to a request sent before the provider's explicit retry-after describes the window that retry-after
    // replaced: its "0 left" lasts until the retry time, not the rest of the minute.
    learned = capLearnedReset(learned, lease.item.retryAt);
  }
  if (learned) learned = gateUnknownReset(lease.item, learned, now, core.settings.windows.minuteMs);
  const attempt: AttemptRecord = {
    now,
    outcome: outcome.outcome,
    reservedTokens: lease.reservedTokens,
    latencyMs: now - lease.startedAt,
    probe: lease.probe,
  };
  if (lease.usedTokens !== undefined) attempt.actualTokens = lease.usedTokens;
  if (outcome.category) attempt.category = outcome.category;
  if (outcome.cooldownUntil !== undefined) attempt.cooldownUntil = outcome.cooldownUntil;
  if (outcome.reason) attempt.reason = outcome.reason;
  if (learned) attempt.learned = learned;
  const group = outcome.group ?? [];
  if (group.length > 0) attempt.group = [lease.item.storeKey, ...group.map((member) => member.storeKey)];
  const item = lease.item;
  if (core.memoryStore) {
    const result = core.memoryStore.recordNow(item.storeKey, attempt);
    item.view = result.view;
    core.place(item, now);
    for (const member of group) {
      member.view = core.memoryStore.viewOf(member.storeKey);
      core.place(member, now);
    }
    return result;
  }
  for (const member of group) {
    if (attempt.cooldownUntil !== undefined && attempt.cooldownUntil > member.view.cooldownUntil)
      member.view = { ...member.view, cooldownUntil: attempt.cooldownUntil, halfOpen: false };
    core.place(member);
  }
  // A networked store: apply locally at once (so this process never reuses a key it just cooled) and write through.
  const local = { ...item.view };
  local.inFlight = Math.max(0, local.inFlight - 1);
  if (lease.probe) local.probeInFlight = false;
  if (attempt.cooldownUntil !== undefined && attempt.cooldownUntil > local.cooldownUntil) {
    local.cooldownUntil = attempt.cooldownUntil;
    local.halfOpen = false;
  }
  item.view = local;
  core.place(item);
  core.store.record(item.storeKey, attempt).then(
    (result) => {
      item.view = result.view;
      core.place(item);
      if (result.recovered)
        core.emit('key.recovered', { ...key.ref(), provider: core.provider }, lease.model);
    },
    (failure: unknown) => storeError(core, 'record', failure),
  );
  return undefined;
}

/**
 * An explicit retry-after decides when a rate-limited key is tried again: a window counter that says "0 left" with no
 * reset time of its own must not park the key for the rest of the window.
 */
export function capLearnedReset(
  learned: RateLimitInfo | undefined,
  retryAt: number,
): RateLimitInfo | undefined {
  if (!learned) return learned;
  const capped: RateLimitInfo = { ...learned };
  for (const name of ['requests', 'tokens'] as const) {
    const budget = capped[name];
    if (budget?.remaining !== undefined && budget.remaining <= 0)
      capped[name] = { ...budget, resetAt: Math.min(budget.resetAt ?? retryAt, retryAt) };
  }
  return capped;
}

/** How soon a window counter that said "0 left" with no reset time is probed again. */
const UNKNOWN_RESET_PROBE_MS = 1_000;

/**
 * A window counter that says "0 left" without a reset time is a hint, not a verdict: the store keeps its budget closed
 * for a short while only, then one probe goes through (the scope's probe gate) and its answer's headers settle it.
 */
function gateUnknownReset(
  item: KeyScope,
  learned: RateLimitInfo,
  now: number,
  minuteMs: number,
): RateLimitInfo {
  let gated = learned;
  for (const name of ['requests', 'tokens'] as const) {
    const budget = learned[name];
    if (budget?.remaining === undefined || budget.remaining > 0 || budget.resetAt !== undefined) continue;
    const at = now + Math.min(minuteMs, UNKNOWN_RESET_PROBE_MS);
    gated = { ...gated, [name]: { ...budget, resetAt: at } };
    item.probeGate = { at, probing: false };
  }
  return gated;
}

export function storeError<T>(core: PoolCore<T>, operation: string, failure: unknown): void {
  core.emit('store.error', {
    provider: core.provider,
    operation,
    message: failure instanceof Error ? failure.message : String(failure),
  });
}
