import type { SecretStore, SecretValue } from './secret-store';
import { SecretStoreError, toSecretStoreError } from './secret-store-error';

/** One secret as the cache holds it. */
export interface CachedSecret extends SecretValue {
  /** When it was read from the store (epoch ms). */
  readonly fetchedAt: number;
  /** True when the store could not be read and this is the last good value. */
  readonly stale: boolean;
  /** Why the last read failed, when `stale`. */
  readonly error?: SecretStoreError | undefined;
}

/** Options of a `SecretCache`. */
export interface SecretCacheOptions {
  /** How long a value read from the store is served without asking again (default 5 minutes). */
  ttlMs?: number;
  /** How long one read may take before it counts as a failure (default 10 s). */
  timeoutMs?: number;
  /** The clock (epoch ms); tests pass a fake one. */
  now?: () => number;
}

interface Entry {
  value: SecretValue;
  fetchedAt: number;
}

/**
 * Reads secrets through a store with a time-to-live: a value younger than `ttlMs` is served from memory; an older
 * one is read again. When the store fails (down, slow, refusing) and a value was read before, the last good value is
 * served, marked `stale`, with the error. Concurrent reads of one secret share one request.
 */
export class SecretCache {
  readonly store: SecretStore;
  readonly ttlMs: number;
  readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<CachedSecret>>();

  constructor(store: SecretStore, options: SecretCacheOptions = {}) {
    this.store = store;
    this.ttlMs = options.ttlMs ?? 300_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The secret `name`: from memory while younger than the TTL (unless `force`), else from the store. Throws a
   * `SecretStoreError` only when the store fails and no earlier value exists.
   */
  get(name: string, options: { force?: boolean } = {}): Promise<CachedSecret> {
    const entry = this.entries.get(name);
    if (entry && !options.force && this.now() - entry.fetchedAt < this.ttlMs) {
      return Promise.resolve({ ...entry.value, fetchedAt: entry.fetchedAt, stale: false });
    }
    let read = this.pending.get(name);
    if (!read) {
      read = this.read(name).finally(() => this.pending.delete(name));
      this.pending.set(name, read);
    }
    return read;
  }

  /** Every value the cache holds (for scrubbing them out of store errors). */
  values(): string[] {
    return [...this.entries.values()].map((entry) => entry.value.value);
  }

  private async read(name: string): Promise<CachedSecret> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const value = await Promise.race([
        this.store.read(name, controller.signal),
        new Promise<never>((_, reject) => {
          controller.signal.addEventListener('abort', () =>
            reject(
              new SecretStoreError(
                { store: this.store.kind, secretName: name, reason: 'timeout' },
                `no answer within ${this.timeoutMs} ms`,
              ),
            ),
          );
        }),
      ]);
      const fetchedAt = this.now();
      this.entries.set(name, { value, fetchedAt });
      return { ...value, fetchedAt, stale: false };
    } catch (caught) {
      const error = toSecretStoreError(caught, this.store.kind, name);
      const entry = this.entries.get(name);
      if (!entry) throw error;
      return { ...entry.value, fetchedAt: entry.fetchedAt, stale: true, error };
    } finally {
      clearTimeout(timer);
    }
  }
}
