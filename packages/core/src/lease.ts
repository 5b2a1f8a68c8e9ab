import { sleep } from './abort';
import { exhausted, throwIfAborted } from './call-errors';
import type { KeyScope } from './key-scope';
import type { CallState, Lease, PoolCore } from './pool-core';
import type { CallOptions } from './pool-options';
import { storeError } from './record-attempt';
import type { ReserveResult } from './state-store';

/**
 * Selection and reservation: the lease for a call's next attempt. Synchronous when the in-memory store has a key free
 * now (no await on the hot path), else a promise that waits in place for a key or throws `PoolExhaustedError`.
 */
export function nextLease<T>(
  core: PoolCore<T>,
  call: CallState,
  options: CallOptions,
  attempt: number,
): Lease | Promise<Lease> {
  throwIfAborted(core, options.signal, call.errors);
  if (attempt > call.maxAttempts) throw exhausted(core, call, 'attempts_exhausted');
  // The first attempt's selection happens in the same tick as the call's start: no second clock read.
  const ready = acquireNow(core, call, options.affinity, attempt, attempt === 1 ? call.begunAt : core.now());
  if (ready) {
    ready.onAttempt = options.onAttempt;
    return ready;
  }
  return acquire(core, call, options, attempt).then((lease) => {
    lease.onAttempt = options.onAttempt;
    return lease;
  });
}

/** The in-memory store's fast path: a lease now, or undefined (then `acquire` waits or throws). */
function acquireNow<T>(
  core: PoolCore<T>,
  call: CallState,
  affinity: string | undefined,
  attempt: number,
  now: number,
): Lease | undefined {
  const store = core.memoryStore;
  if (!store) return undefined;
  const index = call.index;
  for (let tries = 0; ; tries++) {
    const item = pick(core, call, now, tries === 0 ? affinity : undefined);
    if (!item) return undefined;
    const reserved = store.reserveNow(item.storeKey, call.cost, now);
    item.view = reserved.view;
    if (reserved.ok) countSent(core, item, now);
    index.place(item, now);
    if (reserved.ok) return lease(core, call, item, reserved.probe, attempt, now);
  }
}

/** The general path: reserve through the store (maybe networked), waiting in place for a short known wait. */
async function acquire<T>(
  core: PoolCore<T>,
  call: CallState,
  options: CallOptions,
  attempt: number,
): Promise<Lease> {
  const index = call.index;
  let tries = 0;
  for (;;) {
    const now = core.now();
    // A lost reservation (another process took the capacity) moves that key out of the ready list, so this loop
    // ends; then the call waits for the earliest key like any other shortage.
    const item =
      tries <= index.ready.length
        ? pick(core, call, now, tries === 0 ? options.affinity : undefined)
        : undefined;
    if (item) {
      tries++;
      if (!item.registered && !core.memoryStore) {
        await core.store.register([item.storeKey], core.settings.windows);
        item.registered = true;
      }
      const reserved = await reserve(core, item, call, now);
      item.view = reserved.view;
      if (reserved.ok) countSent(core, item, now);
      index.place(item, core.now());
      if (!reserved.ok) continue;
      return lease(core, call, item, reserved.probe, attempt, now);
    }
    const freeAt = index.earliest(now);
    const waitMs = Math.max(freeAt - now, 1);
    const settings = core.settings;
    if (Number.isFinite(freeAt) && waitMs <= settings.maxWaitMs && freeAt < call.deadline) {
      core.emit('request.wait', { provider: core.provider, waitMs, scope: index.scope }, call.model);
      call.waitedMs += waitMs;
      try {
        await sleep(waitMs, options.signal);
      } catch {
        throwIfAborted(core, options.signal, call.errors);
      }
      tries = 0;
      continue;
    }
    throw exhausted(
      core,
      call,
      Number.isFinite(freeAt) && freeAt >= call.deadline ? 'deadline' : 'no_usable_key',
      freeAt,
    );
  }
}

/**
 * The key for the next reservation: the affinity's key when it is usable, else the strategy's pick among the ready
 * keys, avoiding the keys that just failed this call when another one is usable.
 */
function pick<T>(
  core: PoolCore<T>,
  call: CallState,
  now: number,
  affinity: string | undefined,
): KeyScope | undefined {
  const index = call.index;
  index.release(now);
  if (affinity !== undefined && core.slots.length > 0) {
    const preferred = core.slots[fnv1a(affinity) % core.slots.length]!.scope(index.scope);
    if (preferred.parked === 'ready' && preferred.usable(now)) return preferred;
  }
  if (index.readyCount === 0) return undefined;
  const selection = core.selection;
  selection.now = now;
  if (call.avoid !== undefined || now < core.penaltiesUntil) {
    // First a key this call has not failed on and that is not under a health penalty; else any usable key.
    selection.avoid = call.avoid;
    selection.strict = true;
    const preferred = core.selector.select(index.ready, selection) as KeyScope | undefined;
    selection.strict = false;
    selection.avoid = undefined;
    if (preferred?.usable(now)) return preferred;
    if (preferred) index.place(preferred, now);
  }
  const item = core.selector.select(index.ready, selection) as KeyScope | undefined;
  if (item && !item.usable(now)) {
    // Its state changed where the index did not see it (or a custom selector returned a key it was told is not
    // usable): put it back where it belongs; the caller tries again.
    index.place(item, now);
    return undefined;
  }
  return item;
}

function lease<T>(
  core: PoolCore<T>,
  call: CallState,
  item: KeyScope,
  probe: boolean,
  attempt: number,
  now: number,
): Lease {
  const key = item.key;
  if (core.hasListeners('key.selected'))
    core.emit('key.selected', { ...key.ref(), provider: core.provider, attempt, probe }, call.model);
  const last = call.last;
  if (last && last.key !== key && core.hasListeners('key.rotated'))
    core.emit(
      'key.rotated',
      {
        provider: core.provider,
        fromKeyId: last.key.id,
        fromMasked: last.key.masked,
        toKeyId: key.id,
        toMasked: key.masked,
        reason: last.category,
        attempt,
      },
      call.model,
    );
  return {
    key,
    item,
    probe,
    reservedTokens: call.cost.tokens,
    attempt,
    startedAt: now,
    model: call.model,
    learned: undefined,
    usedTokens: undefined,
    onAttempt: undefined,
  };
}

function reserve<T>(
  core: PoolCore<T>,
  item: KeyScope,
  call: CallState,
  now: number,
): Promise<ReserveResult> | ReserveResult {
  if (core.memoryStore) return core.memoryStore.reserveNow(item.storeKey, call.cost, now);
  return core.store.reserve(item.storeKey, call.cost, now).catch((error: unknown) => {
    storeError(core, 'reserve', error);
    throw error;
  });
}

/** Counts a request for the scope's learned rate (kept only for keys with no configured request limit). */
function countSent<T>(core: PoolCore<T>, item: KeyScope, now: number): void {
  const gate = item.probeGate;
  if (gate && now >= gate.at) gate.probing = true;
  if (item.adaptive) item.adaptive.add(now);
  else {
    const limiter = core.settings.adaptiveLimits;
    if (limiter && item.key.limits.rpm === undefined) {
      item.adaptive = core.adaptiveLimit(item.scope, limiter);
      item.adaptive.add(now);
    }
  }
}

/** FNV-1a, 32 bits: a cheap, stable spread of affinity values over the keys. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
