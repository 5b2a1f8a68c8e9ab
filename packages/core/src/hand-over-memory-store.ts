import { type MemoryEntry, MemoryStateStore } from './memory-store';
import { SlidingWindow } from './sliding-window';

/** The units a key's windows hold, per window, as `[slice, units]` pairs (see `SlidingWindow.units`). */
export interface WindowUnits {
  requests?: [slice: number, units: number][];
  tokens?: [slice: number, units: number][];
  day?: [slice: number, units: number][];
}

const WINDOW_NAMES = ['requests', 'tokens', 'day'] as const;

/**
 * An in-memory store that can hand its window counts over to another store: the local fallback of a networked store
 * (`@keypool/redis` while Redis is away), which gives the calls it counted to Redis on its return so the processes'
 * counts add up again. Apart from that it is a `MemoryStateStore`; a pool's default store leaves this code out.
 */
export class HandOverMemoryStore extends MemoryStateStore {
  protected override counter(windowMs: number): SlidingWindow {
    return new SlidingWindow(windowMs);
  }

  /** A window of an entry: every counter this store made is a `SlidingWindow` (see `counter`). */
  private windowOf(entry: MemoryEntry, name: (typeof WINDOW_NAMES)[number]): SlidingWindow | undefined {
    return entry[`${name}Window`] as SlidingWindow | undefined;
  }

  /**
   * Hands over the units every key's windows hold at `now` and forgets them here. `giveBackWindowUnits` takes them
   * back when the hand-over failed.
   */
  takeWindowUnits(now: number): Map<string, WindowUnits> {
    const taken = new Map<string, WindowUnits>();
    for (const [fingerprint, entry] of this.entries) {
      const units: WindowUnits = {};
      for (const name of WINDOW_NAMES) {
        const window = this.windowOf(entry, name);
        const live = window?.units(now);
        if (!window || !live || live.length === 0) continue;
        units[name] = live;
        window.clear();
      }
      if (Object.keys(units).length > 0) taken.set(fingerprint, units);
    }
    return taken;
  }

  /** Puts back what `takeWindowUnits` handed over (the hand-over failed). */
  giveBackWindowUnits(taken: ReadonlyMap<string, WindowUnits>, now: number): void {
    for (const [fingerprint, units] of taken) {
      const entry = this.entries.get(fingerprint);
      if (!entry) continue;
      for (const name of WINDOW_NAMES)
        for (const [slice, amount] of units[name] ?? [])
          this.windowOf(entry, name)?.addAt(slice, amount, now);
    }
  }
}
