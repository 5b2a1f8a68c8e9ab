import type { PoolEvents } from './events';
import type { FailureRecord } from './failure-history';
import { historyMessage, KeyHistoryBook } from './key-history';
import type { KeySnapshot } from './key-snapshot';
import type { PoolCore } from './pool-core';
import type { PoolState } from './pool-options';
import { storeError } from './record-attempt';
import type { StoreKey } from './state-store';

/**
 * A pool's failure history: each key's last failures, kept from the pool's own `request.failure` events (so the
 * engine's hot path is untouched) and written through to a store that shares history (`appendHistory`), whose
 * other processes' entries `pull()` merges in. Secrets never reach it: the engine scrubbed the message, and
 * `historyMessage` also masks anything key-like and removes long quoted (user) text.
 */
export class PoolHistory<TClient> {
  private readonly core: PoolCore<TClient>;
  private readonly book: KeyHistoryBook;
  private readonly unsubscribe: (() => void)[];

  /** Starts keeping `core`'s failures, `size` per key. */
  constructor(core: PoolCore<TClient>, size: number) {
    this.core = core;
    this.book = new KeyHistoryBook(size);
    this.unsubscribe = [
      core.events.on('request.failure', (event) => this.keep(event)),
      core.events.on('key.removed', (event) => this.book.forget(event.keyId)),
    ];
  }

  private keep(event: PoolEvents['request.failure']): void {
    const key = this.core.keys.get(event.keyId);
    if (!key) return;
    const record: FailureRecord = {
      at: event.at,
      category: event.category,
      message: historyMessage(event.message),
    };
    if (event.status !== undefined) record.status = event.status;
    if (event.code !== undefined) record.code = historyMessage(event.code, 100);
    if (event.model !== undefined) {
      record.model = event.model;
      record.scope = this.core.scopeName(event.model);
    }
    record.attempt = event.attempt;
    this.book.push(key.id, record);
    const append = this.core.store.appendHistory;
    if (append)
      append
        .call(this.core.store, key.fingerprint, record, this.book.size, event.at)
        .catch((failure: unknown) => storeError(this.core, 'appendHistory', failure));
  }

  /** One key's failures, oldest first. */
  of(keyId: string): FailureRecord[] {
    return this.book.of(keyId);
  }

  /**
   * Adds each key's history to a snapshot. A failure another process saw in a model scope this one has not read yet
   * still counts for the key's last-failure (and last-used) time.
   */
  addTo(snapshots: KeySnapshot[]): KeySnapshot[] {
    for (const snapshot of snapshots) {
      const history = this.book.of(snapshot.id);
      snapshot.history = history;
      const last = history.at(-1)?.at;
      if (last === undefined) continue;
      if (snapshot.lastFailureAt === undefined || last > snapshot.lastFailureAt)
        snapshot.lastFailureAt = last;
      if (snapshot.lastUsedAt === undefined || last > snapshot.lastUsedAt) snapshot.lastUsedAt = last;
    }
    return snapshots;
  }

  /** Adds each key's history to a saved state (keys with none carry no field). */
  addToState(state: PoolState): PoolState {
    for (const entry of state.keys) {
      const history = this.book.of(entry.id);
      if (history.length > 0) entry.history = history;
    }
    return state;
  }

  /** Merges a saved state's histories for the keys it matches (same id and fingerprint). */
  restore(state: PoolState | undefined): void {
    for (const saved of state?.keys ?? []) {
      const key = this.core.keys.get(saved.id);
      if (key && key.fingerprint === saved.fingerprint && Array.isArray(saved.history))
        this.book.merge(key.id, saved.history);
    }
  }

  /**
   * Merges in what the store shares (other processes' failures), when it shares history. A model scope named there
   * that this process has not served yet is registered, so the next read of the store brings its state (counts, last
   * times) into the snapshot too.
   */
  async pull(): Promise<void> {
    const read = this.core.store.readHistory;
    if (!read) return;
    const keys = [...this.core.keys.values()];
    if (keys.length === 0) return;
    let lists: (FailureRecord[] | undefined)[];
    try {
      lists = await read.call(
        this.core.store,
        keys.map((key) => key.fingerprint),
      );
    } catch (failure) {
      storeError(this.core, 'readHistory', failure);
      return;
    }
    const discovered: StoreKey[] = [];
    keys.forEach((key, index) => {
      const list = lists[index];
      if (!list) return;
      this.book.merge(key.id, list);
      for (const record of list) {
        if (record.scope === undefined || key.scopes.has(record.scope)) continue;
        const item = key.scope(record.scope);
        item.registered = true;
        discovered.push(item.storeKey);
      }
    });
    if (discovered.length > 0) await this.core.store.register(discovered, this.core.settings.windows);
  }

  /** Stops listening to the pool. */
  close(): void {
    for (const stop of this.unsubscribe) stop();
  }
}
