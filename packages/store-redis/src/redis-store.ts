import { randomUUID } from 'node:crypto';
import {
  type AttemptRecord,
  type FailureRecord,
  type KeyStateView,
  type PersistedKeyState,
  type RecordResult,
  type ReserveCost,
  type ReserveResult,
  type StateStore,
  type StatusChange,
  type StoreKey,
  TypedEmitter,
  type WindowLengths,
} from '@keypool/core';
import { FailOpen } from './fail-open';
import { handOverWindowUnits } from './hand-over-window-units';
import { type KeyChangeListener, KeyChangeSubscriber } from './key-change-subscriber';
import { decodeKeyState } from './key-state-codec';
import { LocalFallback } from './local-fallback';
import type { LuaScript, RedisClient } from './lua-script';
import { connectFailFast, pingAndLoad, quit, waitConnected } from './redis-connection';
import { appendFailure, readFailureLists } from './redis-history';
import { type RedisKeyNames, redisKeyNames } from './redis-key-names';
import { redisScripts } from './redis-scripts';
import type { RedisStoreEventName, RedisStoreEvents } from './redis-store-events';
import type { RedisStoreOptions } from './redis-store-options';
import { ScriptArgs } from './script-args';
import { copyView, decodeReserve, hasStatusEffect, limitArgs, limitsOf, messageOf } from './store-replies';
import { withTimeout } from './with-timeout';

export type { RedisStoreOptions } from './redis-store-options';

const READ_CHUNK = 256;

/**
 * Core's `StateStore` on Redis: every process that uses the same Redis (and prefix) shares one pool. `reserve` and
 * `record` are one Lua script each (one round trip), `read` is batched. Time is the `now` the engine passes, so the
 * processes' clocks must agree (one machine, or NTP).
 *
 * Fail-open: when Redis fails or is slower than `timeoutMs`, the store serves from a local in-memory store
 * (`LocalFallback`), emits `store.degraded`, checks Redis with backoff and emits `store.recovered` when it rejoins.
 */
export class RedisStateStore implements StateStore {
  readonly kind = 'redis';
  /** Where the state lives in Redis. */
  readonly names: RedisKeyNames;
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly timeoutMs: number;
  private readonly pubsub: boolean;
  private readonly connectTimeoutMs: number;
  private readonly historyTtlMs: number;
  private readonly probeLeaseMs: number;
  private readonly origin = randomUUID();
  private readonly events = new TypedEmitter<RedisStoreEvents>();
  private readonly fallback = new LocalFallback();
  private readonly scripts = redisScripts();
  private readonly args: ScriptArgs;
  private readonly registered = new Map<string, StoreKey>();
  private readonly failOpen: FailOpen;
  private readonly changes: KeyChangeSubscriber;
  private closed = false;

  constructor(options: RedisStoreOptions = {}) {
    const prefix = options.prefix ?? 'keypool';
    this.names = redisKeyNames(prefix, options.hashTag ?? true);
    this.timeoutMs = options.timeoutMs ?? 50;
    this.pubsub = options.pubsub ?? true;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.historyTtlMs = options.historyTtlMs ?? 7 * 86_400_000;
    this.probeLeaseMs = options.probeLeaseMs ?? 60_000;
    if (options.redis === undefined || typeof options.redis === 'string') {
      this.client = connectFailFast(options.redis ?? 'redis://127.0.0.1:6379');
      this.ownsClient = true;
    } else {
      this.client = options.redis;
      this.ownsClient = false;
    }
    this.args = new ScriptArgs({
      names: this.names,
      stateTtlMs: options.stateTtlMs ?? 86_400_000,
      disabledTtlMs: options.disabledTtlMs ?? 30 * 86_400_000,
      channel: this.pubsub ? this.names.channel : '',
      origin: this.origin,
      countUntilRecorded: options.countUntilRecorded ?? true,
    });
    this.failOpen = new FailOpen({
      initialDelayMs: options.healthCheck?.initialDelayMs ?? 100,
      maxDelayMs: options.healthCheck?.maxDelayMs ?? 500,
      maxPending: options.maxPendingChanges ?? 10_000,
      timeoutMs: this.timeoutMs,
      // A restarted Redis has an empty script cache: load the scripts before the calls return.
      reconnect: () => pingAndLoad(this.client, Object.values(this.scripts), this.timeoutMs),
      handOver: () =>
        handOverWindowUnits({
          client: this.client,
          fallback: this.fallback.memory,
          registered: this.registered,
          names: this.names,
          args: this.args,
          mergeWindows: this.scripts.mergeWindows,
          timeoutMs: this.timeoutMs,
        }),
      onDegraded: (operation, error, at) => {
        this.fallback.seed(at);
        this.events.emit('store.degraded', { operation, message: messageOf(error), at });
      },
      onRecovered: (event) => this.events.emit('store.recovered', event),
    });
    this.changes = new KeyChangeSubscriber(
      this.client,
      this.names.channel,
      this.origin,
      (fingerprint, view) => this.fallback.remember(fingerprint, view),
      (message) => this.events.emit('store.error', { operation: 'subscribe', message }),
    );
  }

  // ---------------------------------------------------------------- events and health

  /** Listens to one store event (`store.degraded`, `store.recovered`, `store.error`). Returns the unsubscribe. */
  on<K extends RedisStoreEventName>(name: K, listener: (event: RedisStoreEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** True while the store serves from its local fallback because Redis failed. */
  get degraded(): boolean {
    return this.failOpen.degraded;
  }

  private run(
    script: LuaScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    return script.run(this.client, keys, args);
  }

  // ---------------------------------------------------------------- StateStore

  /** Learns the pool's keys and window lengths; waits (up to `connectTimeoutMs`) for Redis, else serves locally. */
  async register(keys: readonly StoreKey[], windows: WindowLengths): Promise<void> {
    this.args.windows = windows;
    for (const key of keys) this.registered.set(key.fingerprint, key);
    await this.fallback.register(keys, windows);
    if (!this.failOpen.degraded && !(await waitConnected(this.client, this.connectTimeoutMs)))
      this.failOpen.degrade('register', new Error('redis is not connected'));
  }

  /** Checks a key and counts one attempt on it, atomically across every process (one EVALSHA). */
  async reserve(key: StoreKey, cost: ReserveCost, now: number): Promise<ReserveResult> {
    if (this.failOpen.local) return this.fallback.reserve(key, cost, now);
    const call = this.run(
      this.scripts.reserve,
      [this.names.key(key.fingerprint)],
      [...this.args.context(now), ...limitArgs(key), cost.requests, cost.tokens, this.probeLeaseMs],
    );
    try {
      const result = decodeReserve(await withTimeout(call, this.timeoutMs, 'reserve'));
      this.fallback.remember(key.fingerprint, result.view);
      return result;
    } catch (error) {
      // Served locally: if Redis still applies this reservation later, hand back its in-flight slot and probe.
      call.then(
        (reply) => {
          const late = decodeReserve(reply);
          if (late.ok) this.release(key, late.probe, now);
        },
        () => undefined,
      );
      this.failOpen.degrade('reserve', error);
      return this.fallback.reserve(key, cost, now);
    }
  }

  private release(key: StoreKey, probe: boolean, now: number): void {
    this.run(
      this.scripts.release,
      [this.names.key(key.fingerprint)],
      [...this.args.context(now), probe ? 1 : 0],
    ).catch((error: unknown) =>
      this.events.emit('store.error', { operation: 'release', message: messageOf(error) }),
    );
  }

  /** Records an attempt's end: reconciles its reservation, applies cooldown/disable/group, stats (one EVALSHA). */
  async record(key: StoreKey, attempt: AttemptRecord): Promise<RecordResult> {
    const fingerprint = key.fingerprint;
    if (this.fallback.takeReservation(fingerprint)) {
      // Reserved in the fallback: reconciled there. Only its cooldown or disable goes to Redis (never its counts).
      const result = this.fallback.record(key, attempt);
      if (!hasStatusEffect(attempt)) return result;
      const shared = await this.applyStatusEffect(key, attempt);
      return { view: shared ?? result.view, recovered: result.recovered };
    }
    if (this.failOpen.local) return this.recordLocally(key, attempt);
    const call = this.run(
      this.scripts.record,
      this.args.recordKeys(key, attempt),
      this.args.recordArgs(key, attempt, 'full'),
    );
    try {
      const reply = (await withTimeout(call, this.timeoutMs, 'record')) as [number, string];
      const view = this.fallback.remember(fingerprint, decodeKeyState(reply[1]));
      return { view, recovered: reply[0] === 1 };
    } catch (error) {
      call.catch(() => undefined);
      this.failOpen.degrade('record', error);
      return this.recordLocally(key, attempt);
    }
  }

  /** Records an attempt Redis reserved while Redis is away: the fallback counts it, Redis gets its status later. */
  private recordLocally(key: StoreKey, attempt: AttemptRecord): RecordResult {
    if (hasStatusEffect(attempt)) this.failOpen.queue(() => this.runStatusEffect(key, attempt));
    const { actualTokens: _actual, ...rest } = attempt;
    return this.fallback.record(key, { ...rest, reservedTokens: 0, probe: false });
  }

  private async applyStatusEffect(key: StoreKey, attempt: AttemptRecord): Promise<KeyStateView | undefined> {
    if (this.failOpen.local) {
      this.failOpen.queue(() => this.runStatusEffect(key, attempt));
      return undefined;
    }
    const call = this.runStatusEffect(key, attempt);
    try {
      return await withTimeout(call, this.timeoutMs, 'record');
    } catch (error) {
      call.catch(() => undefined);
      this.failOpen.queue(() => this.runStatusEffect(key, attempt));
      this.failOpen.degrade('record', error);
      return undefined;
    }
  }

  private async runStatusEffect(key: StoreKey, attempt: AttemptRecord): Promise<KeyStateView> {
    const reply = (await this.run(
      this.scripts.record,
      this.args.recordKeys(key, attempt),
      this.args.recordArgs(key, attempt, 'status'),
    )) as [number, string];
    return this.fallback.remember(key.fingerprint, decodeKeyState(reply[1]));
  }

  /** Enables or disables a key for every process (and tells them over pub/sub). */
  async setStatus(key: StoreKey, change: StatusChange, now: number): Promise<KeyStateView> {
    const local = await this.fallback.memory.setStatus(key, change, now);
    const write = async () => {
      const reply = (await this.run(
        this.scripts.setStatus,
        [this.names.key(key.fingerprint)],
        [
          ...this.args.context(now),
          ...limitArgs(key),
          change.enabled ? 1 : 0,
          change.reason ?? '',
          change.reset ? 1 : 0,
        ],
      )) as string;
      return this.fallback.remember(key.fingerprint, decodeKeyState(reply));
    };
    return (await this.failOpen.writeOrQueue('setStatus', write)) ?? copyView(local);
  }

  /** Reads many keys' shared state in one round trip. */
  async read(keys: readonly StoreKey[], now: number): Promise<KeyStateView[]> {
    if (keys.length === 0) return [];
    if (this.failOpen.local) return this.fallback.read(keys, now);
    const chunks: Promise<unknown>[] = [];
    for (let start = 0; start < keys.length; start += READ_CHUNK) {
      const chunk = keys.slice(start, start + READ_CHUNK);
      chunks.push(
        this.run(
          this.scripts.read,
          chunk.map((key) => this.names.key(key.fingerprint)),
          [...this.args.context(now), ...chunk.flatMap(limitsOf)],
        ),
      );
    }
    const all = Promise.all(chunks);
    try {
      const replies = (await withTimeout(all, this.timeoutMs, 'read')) as string[][];
      const views = replies.flat().map(decodeKeyState);
      views.forEach((view, index) => {
        this.fallback.remember(keys[index]!.fingerprint, view);
      });
      return views;
    } catch (error) {
      all.catch(() => undefined);
      this.failOpen.degrade('read', error);
      return this.fallback.read(keys, now);
    }
  }

  /** Forgets a key (its state and failure history), in Redis too. */
  async remove(key: StoreKey): Promise<void> {
    this.registered.delete(key.fingerprint);
    await this.fallback.remove(key);
    const name = this.names.key(key.fingerprint);
    const history = this.names.history(key.fingerprint);
    await this.failOpen.writeOrQueue('remove', () => this.client.del(name, history));
  }

  /** Restores saved state for the keys Redis holds nothing for (the shared state wins over a snapshot). */
  async restore(states: ReadonlyMap<string, PersistedKeyState>, now: number): Promise<void> {
    await this.fallback.memory.restore(states, now);
    const known = [...states].filter(([fingerprint]) => this.registered.has(fingerprint));
    if (known.length === 0) return;
    await this.failOpen.writeOrQueue('restore', () =>
      this.run(
        this.scripts.restore,
        known.map(([fingerprint]) => this.names.key(fingerprint)),
        [...this.args.context(now), ...known.map(([, state]) => JSON.stringify(state))],
      ),
    );
  }

  /**
   * Keeps one failure in the key's shared history, capped at `keep` (one MULTI). While Redis is away it is skipped:
   * the pool that saw the failure keeps it in its own history.
   */
  async appendHistory(
    fingerprint: string,
    failure: FailureRecord,
    keep: number,
    _now: number,
  ): Promise<void> {
    if (this.failOpen.local) return;
    const call = appendFailure(
      this.client,
      this.names.history(fingerprint),
      failure,
      keep,
      this.historyTtlMs,
    );
    call.catch(() => undefined);
    await withTimeout(call, this.timeoutMs, 'appendHistory');
  }

  /** Every process's recent failures of these keys, oldest first (nothing while Redis is away). */
  async readHistory(fingerprints: readonly string[]): Promise<(FailureRecord[] | undefined)[]> {
    if (this.failOpen.local) return fingerprints.map(() => undefined);
    const call = readFailureLists(
      this.client,
      fingerprints.map((fingerprint) => this.names.history(fingerprint)),
    );
    call.catch(() => undefined);
    return withTimeout(call, this.timeoutMs, 'readHistory');
  }

  /** Delivers other processes' key changes (cooled, disabled, enabled, recovered) as they happen. */
  subscribe(listener: KeyChangeListener): () => void {
    if (!this.pubsub) return () => undefined;
    return this.changes.subscribe(listener);
  }

  /** Stops health checks and pub/sub, and closes the connection the store opened (never one you passed in). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failOpen.close();
    this.changes.close();
    if (this.ownsClient) await quit(this.client, Math.max(this.timeoutMs, 250));
  }
}

/** Builds a Redis state store. See `RedisStoreOptions`; with no options it uses `redis://127.0.0.1:6379`. */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStateStore {
  return new RedisStateStore(options);
}
