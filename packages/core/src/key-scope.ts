import type { AdaptiveLimit } from './adaptive-limit';
import type { PoolKey } from './pool-key';
import { positionOf } from './scope-index';
import type { SelectableKey } from './selectors';
import { FRESH_KEY_STATE, type KeyStateView, type StoreKey } from './state-store';

/** How long to wait before asking again about a key whose half-open probe runs in another process. */
export const PROBE_POLL_MS = 25;

/**
 * One key for one model scope: providers limit per key *and model* (or model class), so rate-limit state (cooldowns,
 * windows, learned limits, half-open probes, failure counts) lives here, while a revoked key or a spent quota acts
 * on the whole key (`PoolKey`). This is what a selector sees and what the store reserves on.
 */
export class KeyScope implements SelectableKey {
  readonly key: PoolKey;
  /** The model scope's name (`*` for calls that name no model). */
  readonly scope: string;
  readonly storeKey: StoreKey;
  /** The ready list it is in, if any. */
  readyList: KeyScope[] | undefined;
  /** Where it was last seen in that list (positions shift as other keys come and go). */
  private positionHint = 0;
  /** Where the scope index keeps it: ready, waiting in the time-ordered heap, or off (its key is disabled). */
  parked: 'ready' | 'waiting' | 'off' | 'new' = 'new';
  /**
   * Its entry is in the ready array: while `parked` is 'ready' a live one, else a tombstone the index revives in place
   * (O(1)) or drops at its next compaction.
   */
  inReadyArray = false;
  /** The priority (available-at time) of its live heap entry; older entries are stale. */
  heapAt = Number.NaN;
  view: KeyStateView = FRESH_KEY_STATE;
  /** The store knows this scope (a networked store registers it before its first reservation). */
  registered = false;
  /** When the current rate-limit cooldown began: a 429 on an attempt started before it does not escalate it. */
  limitedAt = Number.NEGATIVE_INFINITY;
  /** The provider's explicit retry time for the current rate limit (retry-after), 0 when none. */
  retryAt = 0;
  /** How many times in a row the scope was limited again after it was released (drives the escalation). */
  strikes = 0;
  /** Consecutive server, overloaded or network failures: a short escalating health penalty. */
  faultStrikes = 0;
  /**
   * Kept failing with server, overloaded or network errors: until this time a call uses it only when no other key is
   * usable (engine-local, short, escalating).
   */
  penaltyUntil = 0;
  /**
   * A window counter said "0 left" without saying when it resets: from `at` one probe request is let through (the
   * store's budget reopens then), and its answer's headers settle the budget before more calls follow.
   */
  probeGate: { at: number; probing: boolean } | undefined;
  /** A request rate learned from 429s alone (no limits configured or sent by the provider). */
  adaptive: AdaptiveLimit | undefined;

  constructor(key: PoolKey, scope: string) {
    this.key = key;
    this.scope = scope;
    this.storeKey = { fingerprint: `${key.fingerprint}~${scope}`, limits: key.limits };
  }

  /** Its position in its scope's ready list (what a selector's `index` means), -1 when not there. O(log n). */
  get index(): number {
    const ready = this.readyList;
    if (!ready) return -1;
    if (ready[this.positionHint] === this) return this.positionHint;
    const at = positionOf(ready, this.key.order);
    if (ready[at] !== this) return -1;
    this.positionHint = at;
    return at;
  }

  get id(): string {
    return this.key.id;
  }

  get order(): number {
    return this.key.order;
  }

  get weight(): number {
    return this.key.weight;
  }

  /** The store has answered for this scope at least once. */
  get used(): boolean {
    return this.view !== FRESH_KEY_STATE;
  }

  /** True when a call for this scope may use the key now. On the hot path: plain field reads. */
  usable(now: number): boolean {
    const view = this.view;
    const key = this.key;
    const keyView = key.view;
    const adaptive = this.adaptive;
    return (
      !key.removed &&
      keyView.status === 'active' &&
      keyView.cooldownUntil <= now &&
      view.status === 'active' &&
      view.cooldownUntil <= now &&
      view.blockedUntil <= now &&
      !(view.halfOpen && view.probeInFlight) &&
      (this.probeGate === undefined || !this.probeGate.probing) &&
      (adaptive === undefined || adaptive.freeAt(now) <= now)
    );
  }

  /** When it may be usable again: now, a time in the future, or +Infinity (disabled). */
  availableAt(now: number): number {
    const view = this.view;
    if (view.status === 'disabled') return Number.POSITIVE_INFINITY;
    let at = Math.max(now, this.key.availableAt(now), view.cooldownUntil, view.blockedUntil);
    if (this.adaptive) at = Math.max(at, this.adaptive.freeAt(now));
    if ((view.halfOpen && view.probeInFlight) || this.probeGate?.probing)
      at = Math.max(at, now + PROBE_POLL_MS);
    return at;
  }
}
