import type { PoolKey } from './pool-key';

/**
 * A bound on how many SDK clients a pool keeps. Each key builds its client on first use; past `max` clients, the
 * least recently used one is dropped (and rebuilt if its key is used again). Recency is tracked the CLOCK way: a use
 * sets one flag on the key, and only an eviction walks the clients, so a call pays one field write, not a list move.
 *
 * The trade-off: a pool that calls more keys in turn than the bound (round-robin over 100,000 keys) rebuilds a client
 * on most calls (tens of microseconds each for the real SDKs); raise `maxClients` for that shape, or keep it to bound
 * memory when only some of many keys are busy at a time.
 */
export class ClientCache {
  private readonly max: number;
  private readonly holders: PoolKey[] = [];
  private hand = 0;

  constructor(max: number) {
    this.max = max;
  }

  /** How many clients are held now. */
  get size(): number {
    return this.holders.length;
  }

  /** Notes that `key` just built its client; drops the least recently used other client when over the bound. */
  added(key: PoolKey): void {
    key.clientSlot = this.holders.length;
    this.holders.push(key);
    while (this.holders.length > this.max) this.evictOne(key);
  }

  /** Forgets a removed key's client. */
  removed(key: PoolKey): void {
    const at = key.clientSlot;
    if (at >= 0 && this.holders[at] === key) this.take(at);
    key.dropClient();
  }

  private evictOne(keep: PoolKey): void {
    for (;;) {
      if (this.hand >= this.holders.length) this.hand = 0;
      const key = this.holders[this.hand]!;
      if (key !== keep && !key.clientUsed) {
        key.dropClient();
        this.take(this.hand);
        return;
      }
      key.clientUsed = false;
      this.hand++;
    }
  }

  private take(at: number): void {
    this.holders[at]!.clientSlot = -1;
    const last = this.holders.pop()!;
    if (at < this.holders.length) {
      this.holders[at] = last;
      last.clientSlot = at;
    }
  }
}
