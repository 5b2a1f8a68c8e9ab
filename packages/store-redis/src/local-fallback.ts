import {
  type AttemptRecord,
  HandOverMemoryStore,
  type KeyStateView,
  type PersistedKeyState,
  type RecordResult,
  type ReserveCost,
  type ReserveResult,
  type StoreKey,
  type WindowLengths,
} from '@keypool/core';
import { persistedStateOf } from './key-state-codec';
import { copyView } from './store-replies';

/**
 * The Redis store's local side: the in-memory store that serves calls while Redis is away, seeded from the state
 * Redis last returned, and the reservations it served (their records belong to it too). Views it returns are copies,
 * as Redis's are, so the engine never holds a live object of the fallback.
 */
export class LocalFallback {
  /** The in-memory store; it hands its window counts to Redis on the rejoin (`handOverWindowUnits`). */
  readonly memory = new HandOverMemoryStore();
  /** The last state Redis returned per key: seeds the fallback when Redis goes away. */
  private readonly lastViews = new Map<string, KeyStateView>();
  /** Reservations served here and not yet recorded, per key. */
  private readonly reservations = new Map<string, number>();

  /** Notes what Redis last said about a key (a reply, or another process's change over pub/sub). */
  remember(fingerprint: string, view: KeyStateView): KeyStateView {
    this.lastViews.set(fingerprint, view);
    return view;
  }

  /** Redis failed at `at`: the fallback starts from what Redis last said (disabled stays disabled, cooldowns hold). */
  seed(at: number): void {
    const seeds = new Map<string, PersistedKeyState>();
    for (const [fingerprint, view] of this.lastViews) seeds.set(fingerprint, persistedStateOf(view));
    void this.memory.restore(seeds, at);
  }

  register(keys: readonly StoreKey[], windows: WindowLengths): Promise<void> {
    return this.memory.register(keys, windows);
  }

  /** Reserves locally, counting the reservation so that its record comes here too. */
  reserve(key: StoreKey, cost: ReserveCost, now: number): ReserveResult {
    const result = this.memory.reserveNow(key, cost, now);
    if (result.ok) this.reservations.set(key.fingerprint, (this.reservations.get(key.fingerprint) ?? 0) + 1);
    return { ...result, view: copyView(result.view) };
  }

  /** Takes back one reservation served here for the key: true when there was one (then its record belongs here). */
  takeReservation(fingerprint: string): boolean {
    const local = this.reservations.get(fingerprint) ?? 0;
    if (local === 0) return false;
    if (local === 1) this.reservations.delete(fingerprint);
    else this.reservations.set(fingerprint, local - 1);
    return true;
  }

  /** Records an attempt here. */
  record(key: StoreKey, attempt: AttemptRecord): RecordResult {
    const result = this.memory.recordNow(key, attempt);
    return { view: copyView(result.view), recovered: result.recovered };
  }

  async read(keys: readonly StoreKey[], now: number): Promise<KeyStateView[]> {
    const views = await this.memory.read(keys, now);
    return views.map(copyView);
  }

  /** Forgets a key that left the pool. */
  async remove(key: StoreKey): Promise<void> {
    this.lastViews.delete(key.fingerprint);
    this.reservations.delete(key.fingerprint);
    await this.memory.remove(key);
  }
}
