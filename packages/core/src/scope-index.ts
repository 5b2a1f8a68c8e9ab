import type { KeyScope } from './key-scope';
import { MinHeap } from './min-heap';
import type { PoolKey } from './pool-key';
import { type PriorityTiers, registerReadyList, type TieredReadyList } from './priority-tiers';

/**
 * The keys of one model scope, split by whether they can take a call: a `ready` list the selector picks from (in pool
 * order), and a heap of the others ordered by when they become usable. A call therefore costs the same whatever the
 * number of cooling, limited or disabled keys: it looks at ready keys only, and waking a key is O(log n).
 * A key's place is re-evaluated whenever its state changes (reservation, outcome, administration, another process).
 *
 * A key leaving the ready list leaves a tombstone in place (selectors skip it: it is not `parked` ready) that is
 * revived when the key is ready again, so a key cooling and recovering costs O(1) there, not an O(n) array shift (155
 * µs at 100,000 keys). Tombstones are swept in one pass once they outnumber the live entries (amortised O(1)).
 */
export class ScopeIndex implements TieredReadyList {
  readonly scope: string;
  /** The ready keys by `priority` tier, when the priority strategy asked for them (kept in step with `ready`). */
  tiers: PriorityTiers | undefined;
  /** Keys usable when last placed. A selector picks among these (each may have changed since: check `usable`). */
  readonly ready: KeyScope[] = [];
  /** Entries of `ready` whose scope is parked ready (the others are tombstones). */
  private live = 0;
  private readonly waiting = new MinHeap<KeyScope>();

  constructor(scope: string, keys: Iterable<PoolKey>, now: number) {
    this.scope = scope;
    registerReadyList(this.ready, this);
    for (const key of keys) this.place(key.scope(scope), now);
  }

  /** Puts a scope where its state says: ready, waiting until its available time, or off (disabled or removed). */
  place(item: KeyScope, now: number): void {
    if (item.parked === 'ready' && item.usable(now)) return;
    const at = item.availableAt(now);
    if (at <= now) {
      if (item.parked !== 'ready') {
        item.parked = 'ready';
        item.readyList = this.ready;
        this.live++;
        if (!item.inReadyArray) {
          // Not there even as a tombstone: insert it in pool order (at the end when it comes last, as at build time).
          item.inReadyArray = true;
          const ready = this.ready;
          const order = item.key.order;
          if (ready.length === 0 || ready[ready.length - 1]!.key.order < order) ready.push(item);
          else ready.splice(positionOf(ready, order), 0, item);
        }
        this.tiers?.add(item);
      }
      return;
    }
    this.unready(item);
    if (at === Number.POSITIVE_INFINITY) {
      item.parked = 'off';
      return;
    }
    if (item.parked === 'waiting' && item.heapAt <= at && item.heapAt > now) {
      // Its entry wakes it no later than needed; it is re-placed then.
      return;
    }
    item.parked = 'waiting';
    item.heapAt = at;
    this.waiting.push(item, at);
  }

  /** Removes a scope from the index for good (its key was removed from the pool). */
  drop(item: KeyScope): void {
    this.unready(item);
    item.parked = 'off';
  }

  /** Moves every waiting scope whose time has come back to its place. O(k log n) for k woken. */
  release(now: number): void {
    const waiting = this.waiting;
    while (waiting.size > 0 && waiting.peekPriority() <= now) {
      const at = waiting.peekPriority();
      const item = waiting.pop()!;
      if (item.parked !== 'waiting' || item.heapAt !== at) continue;
      item.parked = 'new';
      this.place(item, now);
    }
  }

  /** How many keys are ready (the ready array may hold tombstones besides). */
  get readyCount(): number {
    return this.live;
  }

  /** The earliest time a waiting scope may be usable (+Infinity when none will be). */
  earliest(now: number): number {
    this.release(now);
    if (this.live > 0) return now;
    const waiting = this.waiting;
    while (waiting.size > 0) {
      const at = waiting.peekPriority();
      const item = waiting.peek()!;
      if (item.parked !== 'waiting' || item.heapAt !== at) {
        waiting.pop();
        continue;
      }
      // An entry may wake its key earlier than needed (its state got worse since): correct it before answering.
      const actual = item.availableAt(now);
      if (actual <= at) return at;
      waiting.pop();
      item.parked = 'new';
      this.place(item, now);
    }
    return Number.POSITIVE_INFINITY;
  }

  private unready(item: KeyScope): void {
    if (item.parked !== 'ready') return;
    this.tiers?.remove(item);
    item.readyList = undefined;
    item.parked = 'new';
    this.live--;
    const tombstones = this.ready.length - this.live;
    if (tombstones > 32 && tombstones > this.live) this.sweep();
  }

  /** Drops the tombstones from the ready array, in place (selectors and tiers hold this very array). O(n). */
  private sweep(): void {
    const ready = this.ready;
    let kept = 0;
    for (let at = 0; at < ready.length; at++) {
      const item = ready[at]!;
      if (item.parked === 'ready') ready[kept++] = item;
      else item.inReadyArray = false;
    }
    ready.length = kept;
  }
}

/**
 * Where a key of this insertion order is (or would go) in a ready list sorted by insertion order. O(log n). The
 * list stays in pool order so round-robin and the rotating windows of the comparing strategies take keys in turn.
 */
export function positionOf(ready: readonly KeyScope[], order: number): number {
  let low = 0;
  let high = ready.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (ready[middle]!.key.order < order) low = middle + 1;
    else high = middle;
  }
  return low;
}
