import { createSecretScrubber, type KeySecretUpdate, maskSecret, TypedEmitter } from '@keypool/core';
import { SecretCache } from './secret-cache';
import type { SecretEvents } from './secret-events';
import { parseSecretRef, pickSecret } from './secret-ref';
import type { SecretStore } from './secret-store';

/** What a watcher needs of a pool: any `KeyPool` (`createOpenAIPool`, `createKeyPool`, ...) is one. */
export interface SecretTarget {
  updateKeySecret(id: string, secret: string): Promise<KeySecretUpdate>;
}

/** One key of a pool and where its secret lives: `ref` is the store's name, with `#field` for a JSON secret. */
export interface SecretBinding {
  id: string;
  ref: string;
}

/** Options of `watchPoolSecrets`. */
export interface WatchPoolSecretsOptions {
  /** The store, or a `SecretCache` over it (to share one cache between watchers). */
  store: SecretStore | SecretCache;
  /** The keys to keep in step and the secret each one reads. */
  keys: readonly SecretBinding[];
  /** How often the store is read again (default 5 minutes; also the cache's TTL when `store` is not a cache). */
  ttlMs?: number;
  /** How soon to try again after a failed read (default the smaller of `ttlMs` and 30 s). */
  retryMs?: number;
  /** How long one read may take (default 10 s). */
  timeoutMs?: number;
  /** The clock (epoch ms). */
  now?: () => number;
}

/** What one refresh did. */
export interface SecretRefreshSummary {
  /** Keys whose secret changed. */
  rotated: string[];
  /** Keys whose store could not be read (they keep their last good secret). */
  failed: string[];
  /** Keys whose new value the pool refused. */
  rejected: string[];
}

/** A running watcher: its events, a refresh on demand, and `close`. */
export interface SecretWatcher {
  /** Listens to one event. Returns the unsubscribe function. */
  on<K extends keyof SecretEvents>(name: K, listener: (event: SecretEvents[K]) => void): () => void;
  /** Listens to every event; each arrives with its name as `type`. */
  onAny: TypedEmitter<SecretEvents>['onAny'];
  /** Reads every secret from the store now (not from the cache) and applies what changed. */
  refresh(): Promise<SecretRefreshSummary>;
  /** Stops the timer; a refresh in flight finishes. */
  close(): Promise<void>;
}

/**
 * Keeps a running pool's keys in step with a secret store: every `ttlMs` it reads each key's secret and, when it
 * changed (rotated in the store), gives the key the new secret with `pool.updateKeySecret` (same id and place, fresh
 * state) without a restart. A store that is down or refuses keeps the last good secret in use and emits
 * `secret.refresh_failed` (then `secret.recovered`); it is tried again after `retryMs`. Events name keys by id and
 * masked form only. The timer does not keep Node alive.
 */
export function watchPoolSecrets(pool: SecretTarget, options: WatchPoolSecretsOptions): SecretWatcher {
  const now = options.now ?? Date.now;
  const cache =
    options.store instanceof SecretCache
      ? options.store
      : new SecretCache(options.store, {
          now,
          ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        });
  const ttlMs = options.ttlMs ?? cache.ttlMs;
  const retryMs = options.retryMs ?? Math.min(ttlMs, 30_000);
  const events = new TypedEmitter<SecretEvents>();
  const applied = new Map<string, string>();
  const failures = new Map<string, number>();
  const byName = new Map<string, SecretBinding[]>();
  for (const binding of options.keys) {
    const { name } = parseSecretRef(binding.ref);
    byName.set(name, [...(byName.get(name) ?? []), binding]);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<SecretRefreshSummary> | undefined;
  let closed = false;

  const scrub = (text: string) => createSecretScrubber([...cache.values(), ...applied.values()])(text);

  async function refreshName(name: string, bindings: SecretBinding[], summary: SecretRefreshSummary) {
    const store = cache.store.kind;
    const keyIds = bindings.map((binding) => binding.id);
    let read: Awaited<ReturnType<SecretCache['get']>> | undefined;
    let error: { reason: string; message: string } | undefined;
    try {
      read = await cache.get(name, { force: true });
      if (read.stale && read.error) error = { reason: read.error.reason, message: read.error.message };
    } catch (caught) {
      const failure = caught as { reason?: string; message?: string };
      error = { reason: failure.reason ?? 'unreachable', message: String(failure.message ?? caught) };
    }
    if (error) {
      const count = (failures.get(name) ?? 0) + 1;
      failures.set(name, count);
      summary.failed.push(...keyIds);
      events.emit('secret.refresh_failed', {
        at: now(),
        store,
        ref: name,
        keyIds,
        reason: error.reason,
        message: scrub(error.message),
        failures: count,
        staleForMs: read ? now() - read.fetchedAt : 0,
      });
      return;
    }
    const failed = failures.get(name) ?? 0;
    if (failed > 0) {
      failures.delete(name);
      events.emit('secret.recovered', { at: now(), store, ref: name, keyIds, failures: failed });
    }
    for (const binding of bindings) {
      try {
        const secret = pickSecret(read!.value, parseSecretRef(binding.ref), store);
        const previous = applied.get(binding.id);
        if (previous === secret) continue;
        const result = await pool.updateKeySecret(binding.id, secret);
        applied.set(binding.id, secret);
        if (result === 'updated') {
          summary.rotated.push(binding.id);
          events.emit('secret.rotated', {
            at: now(),
            store,
            ref: binding.ref,
            keyId: binding.id,
            masked: maskSecret(secret),
            previousMasked: previous === undefined ? 'unknown' : maskSecret(previous),
            version: read!.version,
          });
        }
      } catch (caught) {
        summary.rejected.push(binding.id);
        events.emit('secret.rejected', {
          at: now(),
          store,
          ref: binding.ref,
          keyId: binding.id,
          message: scrub(caught instanceof Error ? caught.message : String(caught)),
        });
      }
    }
  }

  async function refreshAll(): Promise<SecretRefreshSummary> {
    const summary: SecretRefreshSummary = { rotated: [], failed: [], rejected: [] };
    await Promise.all([...byName].map(([name, bindings]) => refreshName(name, bindings, summary)));
    return summary;
  }

  function schedule(delayMs: number): void {
    if (closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void refresh().catch(() => undefined);
    }, delayMs);
    (timer as { unref?: () => void }).unref?.();
  }

  function refresh(): Promise<SecretRefreshSummary> {
    if (running) return running;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    running = refreshAll().finally(() => {
      running = undefined;
    });
    return running.then((summary) => {
      schedule(summary.failed.length > 0 ? retryMs : ttlMs);
      return summary;
    });
  }

  schedule(ttlMs);
  return {
    on: (name, listener) => events.on(name, listener),
    onAny: (listener) => events.onAny(listener),
    refresh,
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
