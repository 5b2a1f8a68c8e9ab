import type { KeyRanking } from './key-bindings';
import type { SelectableKey } from './selectors';

/** What a ready list may carry for the `priority` strategy: its keys grouped by rank, kept in step by its index. */
export interface TieredReadyList {
  /** Set by the priority strategy on first use; the index then adds and removes keys as it does in `ready`. */
  tiers: PriorityTiers | undefined;
}

/** Each scope index's ready list, to the index that keeps it (so a selector handed the list can find its tiers). */
const holders = new WeakMap<readonly SelectableKey[], TieredReadyList>();

/** Records that `holder` keeps `ready` in step (the scope index does, once, when it is built). */
export function registerReadyList(ready: readonly SelectableKey[], holder: TieredReadyList): void {
  holders.set(ready, holder);
}

/** Where a key of this order is (or would go) in a list sorted by order. O(log n). */
function positionOf(list: readonly SelectableKey[], order: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((list[middle]!.order ?? list[middle]!.index) < order) low = middle + 1;
    else high = middle;
  }
  return low;
}

const orderOf = (key: SelectableKey): number => key.order ?? key.index;

/**
 * The ready keys of one scope grouped by their rank in the `priority` order (the primary, each `priority`, then the
 * keys without one), each group in pool order, and the ranks that have ready keys, lowest first. The index adds and
 * removes a key whenever it enters or leaves its ready list, so a pick looks at the best tier only: O(log n) for the
 * usual case instead of a scan of every ready key. When a rank changes (a key's priority, the primary) the groups are
 * rebuilt from the ready list once, on the next pick.
 */
export class PriorityTiers {
  private readonly ranking: KeyRanking;
  private readonly groups = new Map<number, SelectableKey[]>();
  private readonly rankOf = new Map<SelectableKey, number>();
  /** The ranks that have ready keys, ascending. There are few (the tiers in use), so a sorted array is enough. */
  private readonly ranks: number[] = [];
  private version: number | undefined;

  constructor(ranking: KeyRanking, ready: readonly SelectableKey[]) {
    this.ranking = ranking;
    this.version = ranking.version;
    for (const key of ready) this.add(key);
  }

  /** The tiers of a ready list, installing them on its index the first time. Undefined for a list with no index. */
  static of(ready: readonly SelectableKey[], ranking: KeyRanking): PriorityTiers | undefined {
    const holder = holders.get(ready);
    if (!holder) return undefined;
    let tiers = holder.tiers;
    if (!tiers || tiers.ranking !== ranking || tiers.version !== ranking.version) {
      tiers = new PriorityTiers(ranking, ready);
      holder.tiers = tiers;
    }
    return tiers;
  }

  /** A key entered the ready list. */
  add(key: SelectableKey): void {
    if (this.rankOf.has(key)) return;
    const rank = this.ranking.rank(key);
    this.rankOf.set(key, rank);
    let group = this.groups.get(rank);
    if (!group) {
      group = [];
      this.groups.set(rank, group);
      let at = 0;
      while (at < this.ranks.length && this.ranks[at]! < rank) at++;
      this.ranks.splice(at, 0, rank);
    }
    const order = orderOf(key);
    if (group.length === 0 || orderOf(group[group.length - 1]!) < order) group.push(key);
    else group.splice(positionOf(group, order), 0, key);
  }

  /** A key left the ready list. */
  remove(key: SelectableKey): void {
    const rank = this.rankOf.get(key);
    if (rank === undefined) return;
    this.rankOf.delete(key);
    const group = this.groups.get(rank)!;
    const at = positionOf(group, orderOf(key));
    if (group[at] === key) group.splice(at, 1);
    if (group.length === 0) {
      this.groups.delete(rank);
      this.ranks.splice(this.ranks.indexOf(rank), 1);
    }
  }

  /**
   * The first usable key of the best tier that has one: inside a tier of a finite rank, the first after the key of
   * order `after(rank)` (in turn), else the first in pool order.
   */
  pick(
    usable: (key: SelectableKey) => boolean,
    after: (rank: number) => number | undefined,
  ): { key: SelectableKey; rank: number } | undefined {
    for (const rank of this.ranks) {
      const group = this.groups.get(rank)!;
      const count = group.length;
      const last = Number.isFinite(rank) ? after(rank) : undefined;
      let start = last === undefined ? 0 : positionOf(group, last);
      if (start < count && orderOf(group[start]!) === last) start++;
      for (let step = 0; step < count; step++) {
        const key = group[(start + step) % count]!;
        if (usable(key)) return { key, rank };
      }
    }
    return undefined;
  }
}
