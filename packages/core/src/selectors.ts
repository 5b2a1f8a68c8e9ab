import type { StrategyName } from './config';
import type { KeyRanking } from './key-bindings';
import { PriorityTiers } from './priority-tiers';
import type { KeyStateView } from './state-store';

/** A key as a selector sees it: its id, position, weight and current state. */
export interface SelectableKey {
  readonly id: string;
  /** Position in the pool (stable until keys are added or removed). */
  readonly index: number;
  readonly weight: number;
  readonly view: KeyStateView;
  /**
   * A stable, increasing position in the pool (the pool's own keys have one; the list a selector gets is sorted by
   * it). Lets round-robin resume after the last key it picked even when the list of usable keys changed.
   */
  readonly order?: number;
}

/** What a selector may ask about the moment of selection. */
export interface SelectionContext {
  now: number;
  /** True when the key can take a call now (enabled, not cooling, not probing, capacity left). */
  usable(key: SelectableKey): boolean;
  /** A number in [0, 1). */
  random(): number;
  /** The keys' priority order (the pool's primary key and `priority` tiers); the `priority` strategy reads it. */
  ranks?: KeyRanking;
}

/**
 * A key selection strategy: picks one usable key, or undefined when none is. Implementations must be cheap: the
 * comparing strategies look at a bounded window of usable keys (64) starting where the last pick left off, so a pick
 * costs the same for 10 keys or 10,000 (the "power of k choices" idea), and equal keys share traffic in turn.
 */
export interface KeySelector {
  readonly name: string;
  select(keys: readonly SelectableKey[], context: SelectionContext): SelectableKey | undefined;
}

/**
 * How many usable keys a comparing strategy looks at per pick: a rotating sample, not the whole pool, so a pick costs
 * the same at 100,000 keys as at 100 (each candidate read is a likely cache miss in a large pool). Sampling a few
 * candidates keeps nearly all of the benefit of comparing them all (the "power of d choices"); the window rotates,
 * so every key is compared in turn.
 */
export const SELECTION_WINDOW = 16;

type Better = (candidate: SelectableKey, best: SelectableKey) => boolean;

/**
 * Where to resume in `keys` after the key of order `lastOrder` was picked: the list of usable keys (sorted by order)
 * may have changed since, so a plain position would skip or repeat keys. O(1) when it did not change, else O(log n).
 */
function resumeAfter(keys: readonly SelectableKey[], cursor: number, lastOrder: number | undefined): number {
  const count = keys.length;
  if (lastOrder === undefined || count === 0 || keys[0]!.order === undefined) return cursor;
  if (keys[(cursor + count - 1) % count]?.order === lastOrder) return cursor % count;
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((keys[middle]!.order ?? 0) <= lastOrder) low = middle + 1;
    else high = middle;
  }
  return low % count;
}

/** A strategy that scans a rotating window of usable keys and keeps the best by `better`. */
function comparing(name: string, better: Better): KeySelector {
  let cursor = 0;
  let lastOrder: number | undefined;
  return {
    name,
    select(keys, context) {
      const count = keys.length;
      if (count === 0) return undefined;
      cursor = resumeAfter(keys, cursor, lastOrder);
      let best: SelectableKey | undefined;
      let seen = 0;
      const start = cursor % count;
      for (let step = 0; step < count && seen < SELECTION_WINDOW; step++) {
        const key = keys[(start + step) % count]!;
        if (!context.usable(key)) continue;
        seen++;
        if (best === undefined || better(key, best)) best = key;
      }
      if (best) {
        cursor = best.index + 1;
        lastOrder = best.order;
      }
      return best;
    },
  };
}

/** Each usable key in turn. */
export function roundRobinSelector(): KeySelector {
  let cursor = 0;
  let lastOrder: number | undefined;
  return {
    name: 'round-robin',
    select(keys, context) {
      const count = keys.length;
      cursor = resumeAfter(keys, cursor, lastOrder);
      for (let step = 0; step < count; step++) {
        const key = keys[(cursor + step) % count]!;
        if (context.usable(key)) {
          cursor = (cursor + step + 1) % count;
          lastOrder = key.order;
          return key;
        }
      }
      return undefined;
    },
  };
}

/** The key with the fewest calls in flight, then the fewest calls so far. */
export function leastUsedSelector(): KeySelector {
  return comparing(
    'least-used',
    (candidate, best) =>
      candidate.view.inFlight < best.view.inFlight ||
      (candidate.view.inFlight === best.view.inFlight && candidate.view.requests < best.view.requests),
  );
}

/** The key with the lowest latency (EWMA); keys with no latency yet are tried first. */
export function latencySelector(): KeySelector {
  return comparing(
    'latency',
    (candidate, best) => (candidate.view.latencyEwmaMs ?? 0) < (best.view.latencyEwmaMs ?? 0),
  );
}

/**
 * The default: the key with the fewest consecutive failures, then the most remaining capacity (headroom), then the
 * fewest calls in flight; equal keys take turns.
 */
export function healthSelector(): KeySelector {
  return comparing('health', (candidate, best) => {
    const a = candidate.view;
    const b = best.view;
    if (a.consecutiveFailures !== b.consecutiveFailures) return a.consecutiveFailures < b.consecutiveFailures;
    if (a.headroom !== b.headroom) return a.headroom > b.headroom;
    return a.inFlight < b.inFlight;
  });
}

/** A uniformly random usable key. */
export function randomSelector(): KeySelector {
  return {
    name: 'random',
    select(keys, context) {
      const count = keys.length;
      if (count === 0) return undefined;
      for (let draw = 0; draw < 8; draw++) {
        const key = keys[Math.floor(context.random() * count)]!;
        if (context.usable(key)) return key;
      }
      const start = Math.floor(context.random() * count);
      for (let step = 0; step < count; step++) {
        const key = keys[(start + step) % count]!;
        if (context.usable(key)) return key;
      }
      return undefined;
    },
  };
}

/** A random usable key, chosen in proportion to its weight. */
export function weightedSelector(): KeySelector {
  let cachedFor: readonly SelectableKey[] | undefined;
  let cachedLength = 0;
  let prefix = new Float64Array(0);
  return {
    name: 'weighted',
    select(keys, context) {
      const count = keys.length;
      if (count === 0) return undefined;
      if (cachedFor !== keys || cachedLength !== count) {
        prefix = new Float64Array(count);
        let sum = 0;
        for (let index = 0; index < count; index++) {
          sum += keys[index]!.weight;
          prefix[index] = sum;
        }
        cachedFor = keys;
        cachedLength = count;
      }
      const total = prefix[count - 1]!;
      for (let draw = 0; draw < 8; draw++) {
        const key = keys[upperBound(prefix, context.random() * total)]!;
        if (context.usable(key)) return key;
      }
      // Most keys are unavailable: a weighted pick among the usable ones.
      let usableTotal = 0;
      for (const key of keys) if (context.usable(key)) usableTotal += key.weight;
      if (usableTotal === 0) return undefined;
      let target = context.random() * usableTotal;
      for (const key of keys) {
        if (!context.usable(key)) continue;
        target -= key.weight;
        if (target < 0) return key;
      }
      return undefined;
    },
  };
}

function upperBound(prefix: Float64Array, value: number): number {
  let low = 0;
  let high = prefix.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (prefix[middle]! > value) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Ordered failover: the first usable key in order takes every call until it fails, then the next; a key that
 * recovers takes the traffic back at once. The order is the pool's primary key (`setPrimaryKey`), then keys by
 * `priority` (lower first), then keys without a priority in pool order. Keys of one priority form a tier that shares
 * the load in turn. With no priority and no primary set, a pick reads the first usable key only; with tiers it reads
 * the best tier that has a usable key, kept by the pool's index per tier (O(log n), whatever the number of keys). A
 * list of keys that is not a pool's ready list is scanned once.
 */
export function prioritySelector(): KeySelector {
  const lastInTier = new Map<number, number>();
  const after = (rank: number) => lastInTier.get(rank);
  return {
    name: 'priority',
    select(keys, context) {
      const ranks = context.ranks;
      if (!ranks || ranks.ranked === 0) {
        for (const key of keys) if (context.usable(key)) return key;
        return undefined;
      }
      const picked = ranks.version === undefined ? undefined : PriorityTiers.of(keys, ranks);
      const found = picked ? picked.pick(context.usable, after) : scanTiers(keys, context, ranks, after);
      if (!found) return undefined;
      if (Number.isFinite(found.rank)) lastInTier.set(found.rank, found.key.order ?? found.key.index);
      return found.key;
    },
  };
}

/** The priority pick by one scan of `keys` (a list that is not a pool's ready list). */
function scanTiers(
  keys: readonly SelectableKey[],
  context: SelectionContext,
  ranks: KeyRanking,
  after: (rank: number) => number | undefined,
): { key: SelectableKey; rank: number } | undefined {
  let best: SelectableKey | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  // The first key of the best tier after the one it served last (load spreads in turn inside a tier).
  let next: SelectableKey | undefined;
  for (const key of keys) {
    if (!context.usable(key)) continue;
    const rank = ranks.rank(key);
    if (best === undefined || rank < bestRank) {
      best = key;
      bestRank = rank;
      next = undefined;
      if (rank === Number.NEGATIVE_INFINITY) break;
    } else if (rank !== bestRank || rank === Number.POSITIVE_INFINITY || next !== undefined) continue;
    const last = after(rank);
    if (next === undefined && last !== undefined && (key.order ?? key.index) > last) next = key;
  }
  return best === undefined ? undefined : { key: next ?? best, rank: bestRank };
}

/** Builds a built-in strategy by name. */
export function createSelector(strategy: StrategyName): KeySelector {
  switch (strategy) {
    case 'health':
      return healthSelector();
    case 'round-robin':
      return roundRobinSelector();
    case 'least-used':
      return leastUsedSelector();
    case 'weighted':
      return weightedSelector();
    case 'random':
      return randomSelector();
    case 'latency':
      return latencySelector();
    case 'priority':
      return prioritySelector();
  }
}
