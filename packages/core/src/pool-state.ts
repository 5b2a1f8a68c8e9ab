import type { ErrorCategory } from './categories';
import { ConfigError } from './errors';
import type { KeyScope } from './key-scope';
import type { KeySnapshot, ScopeSnapshot } from './key-snapshot';
import type { PoolCore } from './pool-core';
import type { PoolKey } from './pool-key';
import type { PoolState } from './pool-options';
import type { KeyStateView, PersistedKeyState, StoreKey } from './state-store';

const STATUS_RANK: Record<KeySnapshot['status'], number> = {
  active: 0,
  half_open: 1,
  limited: 2,
  cooling: 3,
  disabled: 4,
};

/**
 * Every key's state now: the key level (disabled, spent quota) and each model scope it served (cooldowns, windows,
 * learned limits). The key's own status is the best of its scopes: `active` when it can serve some model now.
 */
export function snapshotKeys<T>(core: PoolCore<T>): KeySnapshot[] {
  const now = core.now();
  const snapshots: KeySnapshot[] = [];
  const bindings = core.bindings;
  for (const key of core.keys.values()) {
    const snapshot = snapshotKey(key, now);
    const models = bindings.modelsOf(key);
    if (models) snapshot.models = models;
    const priority = bindings.priorityOf(key.id);
    if (priority !== undefined) snapshot.priority = priority;
    if (bindings.primary === key.id) snapshot.primary = true;
    snapshots.push(snapshot);
  }
  return snapshots;
}

function snapshotKey(key: PoolKey, now: number): KeySnapshot {
  const scopes: ScopeSnapshot[] = [];
  for (const item of key.scopes.values()) if (item.used) scopes.push(snapshotScope(item, now));
  const keyView = key.view;
  const snapshot: KeySnapshot = {
    id: key.id,
    masked: key.masked,
    fingerprint: key.fingerprint,
    status: 'active',
    inFlight: 0,
    weight: key.weight,
    limits: key.limits,
    tags: key.tags,
    usage: { requests: 0, tokens: 0, day: 0 },
    counts: { requests: 0, successes: 0, failures: {} },
    consecutiveFailures: 0,
  };
  for (const scope of scopes) {
    snapshot.inFlight += scope.inFlight;
    snapshot.usage.requests += scope.usage.requests;
    snapshot.usage.tokens += scope.usage.tokens;
    snapshot.usage.day += scope.usage.day;
    snapshot.counts.requests += scope.counts.requests;
    snapshot.counts.successes += scope.counts.successes;
    for (const [category, count] of Object.entries(scope.counts.failures) as [
      keyof typeof scope.counts.failures,
      number,
    ][])
      snapshot.counts.failures[category] = (snapshot.counts.failures[category] ?? 0) + count;
    snapshot.consecutiveFailures = Math.max(snapshot.consecutiveFailures, scope.consecutiveFailures);
    if (snapshot.latencyEwmaMs === undefined && scope.latencyEwmaMs !== undefined)
      snapshot.latencyEwmaMs = scope.latencyEwmaMs;
    if (snapshot.learned === undefined && scope.learned !== undefined) snapshot.learned = scope.learned;
    latestTimes(snapshot, scope);
  }
  if (key.quotaGroup) snapshot.quotaGroup = key.quotaGroup;
  if (scopes.length > 0) snapshot.scopes = scopes;
  if (keyView.status === 'disabled') {
    snapshot.status = 'disabled';
    if (keyView.reason) snapshot.reason = keyView.reason;
    if (keyView.category) snapshot.category = keyView.category;
    return snapshot;
  }
  if (keyView.cooldownUntil > now) {
    snapshot.status = 'cooling';
    snapshot.cooldownUntil = keyView.cooldownUntil;
    snapshot.cooldownRemainingMs = keyView.cooldownUntil - now;
    if (keyView.reason) snapshot.reason = keyView.reason;
    if (keyView.category) snapshot.category = keyView.category;
    return snapshot;
  }
  // The key's status is its best scope's: it can serve some model now if any scope can.
  let best: ScopeSnapshot | undefined;
  for (const scope of scopes) if (!best || STATUS_RANK[scope.status] < STATUS_RANK[best.status]) best = scope;
  if (best) {
    snapshot.status = best.status;
    if (best.reason) snapshot.reason = best.reason;
    if (best.category) snapshot.category = best.category;
    if (best.cooldownUntil !== undefined) {
      snapshot.cooldownUntil = best.cooldownUntil;
      snapshot.cooldownRemainingMs = best.cooldownRemainingMs;
    }
    if (best.blockedUntil !== undefined) snapshot.blockedUntil = best.blockedUntil;
  }
  return snapshot;
}

function snapshotScope(item: KeyScope, now: number): ScopeSnapshot {
  const view = item.view;
  const scope: ScopeSnapshot = {
    scope: item.scope,
    status: scopeStatus(view, now),
    inFlight: view.inFlight,
    usage: { ...view.usage },
    counts: { requests: view.requests, successes: view.successes, failures: { ...view.failures } },
    consecutiveFailures: view.consecutiveFailures,
  };
  if (view.reason && scope.status !== 'active') scope.reason = view.reason;
  if (view.category && scope.status !== 'active') scope.category = view.category;
  if (view.cooldownUntil > now) {
    scope.cooldownUntil = view.cooldownUntil;
    scope.cooldownRemainingMs = view.cooldownUntil - now;
  }
  const blockedUntil = Math.max(view.blockedUntil, item.adaptive?.freeAt(now) ?? 0);
  if (blockedUntil > now) {
    scope.blockedUntil = blockedUntil;
    if (scope.status === 'active') scope.status = 'limited';
  }
  if (item.penaltyUntil > now) scope.penaltyUntil = item.penaltyUntil;
  if (item.adaptive?.limit !== undefined) scope.adaptiveLimit = item.adaptive.limit;
  if (view.latencyEwmaMs !== undefined) scope.latencyEwmaMs = Math.round(view.latencyEwmaMs * 100) / 100;
  if (view.learned) scope.learned = view.learned;
  latestTimes(scope, view);
  return scope;
}

type LastTimes = Pick<KeySnapshot, 'lastUsedAt' | 'lastSuccessAt' | 'lastFailureAt'>;

/** Keeps in `into` the later of its and `from`'s last-used, last-success and last-failure times. */
function latestTimes(into: LastTimes, from: LastTimes): void {
  for (const field of ['lastUsedAt', 'lastSuccessAt', 'lastFailureAt'] as const) {
    const at = from[field];
    if (at !== undefined && (into[field] === undefined || at > (into[field] as number))) into[field] = at;
  }
}

function scopeStatus(view: KeyStateView, now: number): KeySnapshot['status'] {
  if (view.status === 'disabled') return 'disabled';
  if (view.cooldownUntil > now) return 'cooling';
  if (view.halfOpen || view.cooldownUntil !== 0) return 'half_open';
  if (view.blockedUntil > now) return 'limited';
  return 'active';
}

/** The pool's state to save and restore later. Keys by id and fingerprint only, never a secret. */
export function poolStateOf<T>(core: PoolCore<T>): PoolState {
  const keys: PoolState['keys'] = [];
  for (const key of core.keys.values()) {
    const entry: PoolState['keys'][number] = {
      id: key.id,
      fingerprint: key.fingerprint,
      state: persisted(key.view),
    };
    // The key-level state carries the key's totals over its scopes, so a reader of the file sees its calls.
    const totals = { requests: 0, successes: 0, failures: {} as Partial<Record<ErrorCategory, number>> };
    for (const item of key.scopes.values()) {
      if (!item.used) continue;
      entry.scopes ??= {};
      entry.scopes[item.scope] = persisted(item.view);
      totals.requests += item.view.requests;
      totals.successes += item.view.successes;
      for (const [category, count] of Object.entries(item.view.failures) as [ErrorCategory, number][])
        totals.failures[category] = (totals.failures[category] ?? 0) + count;
      latestTimes(entry.state, item.view);
    }
    if (entry.scopes) Object.assign(entry.state, totals);
    keys.push(entry);
  }
  return { version: 1, provider: core.provider, savedAt: core.now(), keys };
}

function persisted(view: KeyStateView): PersistedKeyState {
  return {
    status: view.status,
    cooldownUntil: view.cooldownUntil,
    ...(view.reason ? { reason: view.reason } : {}),
    ...(view.category ? { category: view.category } : {}),
    consecutiveFailures: view.consecutiveFailures,
    requests: view.requests,
    successes: view.successes,
    failures: { ...view.failures },
    ...(view.latencyEwmaMs !== undefined ? { latencyEwmaMs: view.latencyEwmaMs } : {}),
    ...(view.lastUsedAt !== undefined ? { lastUsedAt: view.lastUsedAt } : {}),
    ...(view.lastSuccessAt !== undefined ? { lastSuccessAt: view.lastSuccessAt } : {}),
    ...(view.lastFailureAt !== undefined ? { lastFailureAt: view.lastFailureAt } : {}),
  };
}

/**
 * Restores state saved by `toJSON()`. A key is matched by id and fingerprint, so a key whose secret changed starts
 * fresh; keys not in the saved state are left alone.
 */
export async function restoreState<T>(core: PoolCore<T>, state: PoolState): Promise<void> {
  if (state?.version !== 1 || !Array.isArray(state.keys)) {
    throw new ConfigError('pool state', [
      { path: 'version', message: 'expected a state saved by toJSON() (version 1)' },
    ]);
  }
  const matched = new Map<string, PersistedKeyState>();
  const scopeKeys: StoreKey[] = [];
  for (const saved of state.keys) {
    const key = core.keys.get(saved.id);
    if (!key || key.fingerprint !== saved.fingerprint) continue;
    matched.set(key.fingerprint, saved.state);
    for (const [name, scopeState] of Object.entries(saved.scopes ?? {})) {
      const item = key.scope(name);
      item.registered = true;
      matched.set(item.storeKey.fingerprint, scopeState);
      scopeKeys.push(item.storeKey);
    }
  }
  if (scopeKeys.length > 0) await core.store.register(scopeKeys, core.settings.windows);
  await core.store.restore(matched, core.now());
  await refreshState(core);
}

/** Reads every key's state (and each used scope's) from the store, then re-places them. */
export async function refreshState<T>(core: PoolCore<T>): Promise<void> {
  const keys = [...core.keys.values()];
  const now = core.now();
  const views = await core.store.read(
    keys.map((key) => key.storeKey),
    now,
  );
  views.forEach((view, index) => {
    const key = keys[index];
    if (key) key.view = view;
  });
  const known: KeyScope[] = [];
  for (const key of keys)
    for (const item of key.scopes.values()) if (item.used || item.registered) known.push(item);
  if (known.length > 0) {
    const scopeViews = await core.store.read(
      known.map((item) => item.storeKey),
      now,
    );
    scopeViews.forEach((view, index) => {
      const item = known[index];
      if (item) item.view = view;
    });
  }
  for (const key of keys) core.placeKey(key);
}

/** Applies another process's change to a key (store pub/sub): key level or one scope. */
export function applyRemoteView<T>(core: PoolCore<T>, fingerprint: string, view: KeyStateView): void {
  const tilde = fingerprint.indexOf('~');
  if (tilde < 0) {
    const key = core.byFingerprint.get(fingerprint);
    if (!key) return;
    key.view = view;
    core.placeKey(key);
    return;
  }
  const key = core.byFingerprint.get(fingerprint.slice(0, tilde));
  const item = key?.scopes.get(fingerprint.slice(tilde + 1));
  if (!item) return;
  item.view = view;
  core.place(item);
}
