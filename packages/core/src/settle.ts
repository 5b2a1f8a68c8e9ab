import { cooldownDuration } from './backoff';
import type { ErrorCategory } from './categories';
import type { ClassifiedError } from './classified-error';
import { ProviderError } from './errors';
import { clearFailures, countFailure, quietSince } from './failure-threshold';
import type { KeyEffect, PolicyRow } from './policy';
import type { Lease, PoolCore } from './pool-core';
import { capLearnedReset, record, storeError } from './record-attempt';
import { scrubbedWith } from './scrubbed-error';
import type { AttemptRecord, StoreKey } from './state-store';

/** The longest health penalty for a key that keeps failing with server, overloaded or network errors. */
const MAX_PENALTY_MS = 10_000;
/** The first health penalty. */
const BASE_PENALTY_MS = 500;

/** Raised for a stream that ended before its first chunk (a `server` failure). */
export class EmptyStreamError extends Error {
  constructor() {
    super('the stream ended before its first chunk');
  }
}

/** Raised for a stream that ended without its terminator (`stream_interrupted`). */
export class MissingTerminatorError extends Error {
  constructor() {
    super('the stream ended without its terminator');
  }
}

/** Records a successful attempt: usage, latency, learned limits; resets the scope's failure counts. */
export function settleSuccess<T>(core: PoolCore<T>, lease: Lease): void {
  const now = core.now();
  const item = lease.item;
  item.strikes = 0;
  item.faultStrikes = 0;
  item.penaltyUntil = 0;
  clearFailures(item);
  clearFailures(lease.key);
  item.adaptive?.onSuccess(now);
  const result = record(core, lease, { outcome: 'success' }, now);
  if (result?.recovered)
    core.emit('key.recovered', { ...lease.key.ref(), provider: core.provider }, lease.model);
  if (core.hasListeners('request.success')) {
    const event: Parameters<typeof core.emit<'request.success'>>[1] = {
      ...lease.key.ref(),
      provider: core.provider,
      attempts: lease.attempt,
      latencyMs: now - lease.startedAt,
    };
    if (lease.usedTokens !== undefined) event.totalTokens = lease.usedTokens;
    core.emit('request.success', event, lease.model);
  }
}

/**
 * Classifies a failed attempt and applies the policy table to its key: a rate limit cools the key for this model
 * scope (once per burst), a spent quota cools the whole key and its quota group, an auth failure disables the key,
 * and repeated server faults earn the scope a short health penalty. Returns the error and the policy row for the
 * request.
 */
export function settleFailure<T>(
  core: PoolCore<T>,
  lease: Lease,
  raw: unknown,
  timedOut: boolean,
  callerSignal: AbortSignal | undefined,
  classifyError: (raw: unknown) => ClassifiedError = (error) => core.adapter.classifyError(error),
): { error: ProviderError; row: PolicyRow } {
  const now = core.now();
  let classified = classify(raw, timedOut, callerSignal, classifyError);
  const silentMs = now - lease.startedAt;
  if (classified.category === 'network' && silentMs >= core.settings.firstByteTimeoutMs) {
    // A connection closed after a long silence is a silent route, not a flaky one: retrying it doubles the wait.
    classified = {
      ...classified,
      category: 'timeout',
      message: `no answer for ${silentMs} ms: ${classified.message}`,
    };
  }
  if (classified.rateLimit) lease.learned = { ...lease.learned, ...classified.rateLimit };
  if (classified.category === 'rate_limit' && classified.retryAfterMs !== undefined)
    lease.learned = capLearnedReset(lease.learned, now + classified.retryAfterMs);
  // One scrubbing point: the message and a scrubbed copy of the whole cause chain (headers, URLs, nested causes), so
  // nothing that prints or inspects the error can show a secret of this pool.
  const error = new ProviderError(
    {
      ...classified,
      message: core.scrub(classified.message, lease.key),
      provider: core.provider,
      keyId: lease.key.id,
    },
    { cause: scrubbedWith(raw, core.scrubberFor(lease.key)) },
  );
  const row = core.settings.policy[classified.category];
  const reason = error.message.slice(0, 300);
  const effect = keyEffect(core, lease, classified.category, row, now);
  let scopeCooldownUntil: number | undefined;
  if (effect === 'cooldown') scopeCooldownUntil = rateLimitCooldown(core, lease, classified, now);
  else if (row.key === 'none' && isFault(classified.category)) penalise(core, lease, now);

  const members =
    scopeCooldownUntil !== undefined && lease.key.quotaGroup !== undefined
      ? (core.groups.get(lease.key.quotaGroup) ?? []).filter((member) => member !== lease.key)
      : [];
  record(core, lease, {
    outcome: 'failure',
    category: classified.category,
    ...(scopeCooldownUntil !== undefined ? { cooldownUntil: scopeCooldownUntil } : {}),
    reason,
    ...(members.length > 0 ? { group: members.map((member) => member.scope(lease.item.scope)) } : {}),
  });
  core.emit(
    'request.failure',
    {
      ...lease.key.ref(),
      provider: core.provider,
      attempt: lease.attempt,
      category: classified.category,
      ...(classified.status !== undefined ? { status: classified.status } : {}),
      ...(classified.code !== undefined ? { code: core.scrub(classified.code, lease.key) } : {}),
      message: error.message,
    },
    lease.model,
  );
  if (scopeCooldownUntil !== undefined)
    for (const key of [lease.key, ...members])
      core.emit(
        'key.cooldown',
        {
          ...key.ref(),
          provider: core.provider,
          category: classified.category,
          until: scopeCooldownUntil,
          durationMs: scopeCooldownUntil - now,
          reason: key === lease.key ? reason : `quota group ${key.quotaGroup}: ${reason}`,
        },
        lease.model,
      );
  if (effect === 'quota') coolWholeKey(core, lease, classified, reason, now);
  else if (effect === 'disable') disableWholeKey(core, lease, classified.category, reason);
  core.place(lease.item);
  return { error, row };
}

/**
 * The key effect this failure applies: the row's, once the key (whole-key effects) or its scope (cooldowns) has
 * failed `row.threshold` times in a row with this category; else none. After `failureResetMs` without a failure, the
 * scope's escalation (cooldown strikes, health penalty) starts again too.
 */
function keyEffect<T>(
  core: PoolCore<T>,
  lease: Lease,
  category: ErrorCategory,
  row: PolicyRow,
  now: number,
): KeyEffect {
  const resetAfterMs = core.settings.failureResetMs;
  const item = lease.item;
  if (quietSince(item, now, resetAfterMs)) {
    item.strikes = 0;
    item.faultStrikes = 0;
  }
  const scopeEffect = countFailure(item, category, row, now, resetAfterMs);
  const keyLevel = countFailure(lease.key, category, row, now, resetAfterMs);
  return row.key === 'cooldown' ? scopeEffect : keyLevel;
}

/**
 * When a rate-limited scope is tried again. Failures of one rate window count once: a 429 on an attempt that started
 * before the scope's current cooldown began only honours its hint. With no limit configured or learned from headers,
 * the scope's request rate is learned from the 429 (AIMD) and that rate, not a cooldown, paces the next calls.
 * Otherwise the cooldown escalates with how often the scope is limited again after its release.
 */
function rateLimitCooldown<T>(
  core: PoolCore<T>,
  lease: Lease,
  classified: ClassifiedError,
  now: number,
): number | undefined {
  const item = lease.item;
  const bounds = core.settings.cooldown;
  const hint =
    classified.retryAfterMs ?? (classified.resetAt !== undefined ? classified.resetAt - now : undefined);
  const hinted = hint !== undefined && hint > 0 ? now + Math.min(hint, bounds.maxMs) : undefined;
  if (hinted !== undefined && classified.retryAfterMs !== undefined)
    item.retryAt = Math.max(item.retryAt, hinted);
  item.adaptive?.onRefused(lease.startedAt, now);
  if (lease.startedAt < item.limitedAt) return hinted;
  item.limitedAt = now;
  const limiter = core.settings.adaptiveLimits;
  if (limiter && item.key.limits.rpm === undefined && !item.view.learned?.requests?.limit) {
    item.adaptive ??= core.adaptiveLimit(item.scope, limiter);
    const outcome = item.adaptive.onLimited(lease.startedAt, now);
    if (outcome === 'decreased') {
      core.emit(
        'limits.adapted',
        { ...item.key.ref(), provider: core.provider, scope: item.scope, limit: item.adaptive.limit ?? 1 },
        lease.model,
      );
      return hinted;
    }
  }
  item.strikes++;
  return now + cooldownDuration(item.strikes, hint, bounds, core.settings.random);
}

/** A short escalating penalty for a key that keeps failing with server, overloaded or network errors. */
function penalise<T>(core: PoolCore<T>, lease: Lease, now: number): void {
  const item = lease.item;
  item.faultStrikes++;
  const step = Math.min(BASE_PENALTY_MS * 2 ** Math.min(item.faultStrikes - 1, 20), MAX_PENALTY_MS);
  item.penaltyUntil = now + Math.round(step * (0.8 + 0.2 * core.settings.random()));
  if (item.penaltyUntil > core.penaltiesUntil) core.penaltiesUntil = item.penaltyUntil;
}

function isFault(category: ErrorCategory): boolean {
  return category === 'server' || category === 'overloaded' || category === 'network';
}

/** A spent quota: the whole key (and its quota group) cools until the reset, else `cooldown.quotaMs`. */
function coolWholeKey<T>(
  core: PoolCore<T>,
  lease: Lease,
  classified: ClassifiedError,
  reason: string,
  now: number,
): void {
  const hint = classified.resetAt !== undefined ? classified.resetAt - now : classified.retryAfterMs;
  const until = now + (hint !== undefined && hint > 0 ? hint : core.settings.cooldown.quotaMs);
  const key = lease.key;
  const members = key.quotaGroup !== undefined ? (core.groups.get(key.quotaGroup) ?? [key]) : [key];
  const group: StoreKey[] = members.map((member) => member.storeKey);
  const attempt: AttemptRecord = {
    now,
    outcome: 'failure',
    category: classified.category,
    reservedTokens: 0,
    latencyMs: 0,
    probe: false,
    cooldownUntil: until,
    reason,
    group,
  };
  for (const member of members) {
    if (until > member.view.cooldownUntil && !core.memoryStore) {
      member.view = { ...member.view, cooldownUntil: until, reason, category: classified.category };
    }
  }
  writeKeyLevel(core, key, attempt, () => {
    for (const member of members) core.placeKey(member);
  });
  for (const member of members) {
    core.placeKey(member);
    core.emit(
      'key.cooldown',
      {
        ...member.ref(),
        provider: core.provider,
        category: classified.category,
        until,
        durationMs: until - now,
        reason: member === key ? reason : `quota group ${member.quotaGroup}: ${reason}`,
      },
      lease.model,
    );
  }
}

/** An auth failure: the whole key is disabled, with the reason, until re-enabled. */
function disableWholeKey<T>(core: PoolCore<T>, lease: Lease, category: ErrorCategory, reason: string): void {
  const key = lease.key;
  key.view = { ...key.view, status: 'disabled', reason, category };
  const written = core.store.setStatus(key.storeKey, { enabled: false, reason }, core.now());
  written.then(
    (view) => {
      key.view = { ...view, category };
      core.placeKey(key);
    },
    (failure: unknown) => storeError(core, 'setStatus', failure),
  );
  core.placeKey(key);
  core.emit('key.disabled', { ...key.ref(), provider: core.provider, category, reason }, lease.model);
}

function writeKeyLevel<T>(
  core: PoolCore<T>,
  key: Lease['key'],
  attempt: AttemptRecord,
  afterWrite: () => void,
): void {
  if (core.memoryStore) {
    core.memoryStore.recordNow(key.storeKey, attempt);
    for (const member of attempt.group ?? []) {
      const other = core.byFingerprint.get(member.fingerprint);
      if (other) other.view = core.memoryStore.viewOf(member);
    }
    key.view = core.memoryStore.viewOf(key.storeKey);
    return;
  }
  core.store.record(key.storeKey, attempt).then(
    (result) => {
      key.view = result.view;
      afterWrite();
    },
    (failure: unknown) => storeError(core, 'record', failure),
  );
}

/**
 * What an attempt's failure was: the caller's abort, our timeout, a stream fault, or the verdict of `classifyError`
 * (the adapter's; a lease settled by hand classifies its `lease.fail(status)` itself).
 */
function classify(
  raw: unknown,
  timedOut: boolean,
  callerSignal: AbortSignal | undefined,
  classifyError: (raw: unknown) => ClassifiedError,
): ClassifiedError {
  if (callerSignal?.aborted) return { category: 'aborted', message: 'the caller aborted the call' };
  if (timedOut) return { category: 'timeout', message: 'the attempt timed out' };
  if (raw instanceof EmptyStreamError) return { category: 'server', message: raw.message };
  if (raw instanceof MissingTerminatorError) return { category: 'stream_interrupted', message: raw.message };
  if (ProviderError.isInstance(raw)) return classifiedFrom(raw);
  try {
    return classifyError(raw);
  } catch {
    return { category: 'server', message: 'the adapter could not classify the error' };
  }
}

/** A ProviderError thrown by an adapter keeps every hint it carries. */
function classifiedFrom(error: ProviderError): ClassifiedError {
  const classified: ClassifiedError = { category: error.category, message: error.message };
  if (error.status !== undefined) classified.status = error.status;
  if (error.providerCode !== undefined) classified.code = error.providerCode;
  if (error.retryAfterMs !== undefined) classified.retryAfterMs = error.retryAfterMs;
  if (error.resetAt !== undefined) classified.resetAt = error.resetAt;
  if (error.quotaScope !== undefined) classified.quotaScope = error.quotaScope;
  if (error.requestId !== undefined) classified.requestId = error.requestId;
  if (error.modelNotFound) classified.modelNotFound = true;
  if (error.filterReason !== undefined) classified.filterReason = error.filterReason;
  return classified;
}
