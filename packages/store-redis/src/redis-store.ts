import { randomUUID } from 'node:crypto';
import {
  type AttemptRecord,
  type FailureRecord,
  type KeyStateView,
  MemoryStateStore,
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
import { Redis } from 'ioredis';
import { decodeKeyState, persistedStateOf } from './key-state-codec';
import { LuaScript, type RedisClient } from './lua-script';
import { appendFailure, readFailureLists } from './redis-history';
import { type RedisKeyNames, redisKeyNames } from './redis-key-names';
import type { RedisStoreEventName, RedisStoreEvents } from './redis-store-events';
import { MERGE_WINDOWS_SCRIPT } from './scripts/merge-windows-script';
import { READ_SCRIPT } from './scripts/read-script';
import { RECORD_SCRIPT } from './scripts/record-script';
import { RELEASE_SCRIPT } from './scripts/release-script';
import { RESERVE_SCRIPT } from './scripts/reserve-script';
import { RESTORE_SCRIPT } from './scripts/restore-script';
import { SET_STATUS_SCRIPT } from './scripts/set-status-script';
import { withTimeout } from './with-timeout';

/** Options of `createRedisStore`. Every field is optional. */
export interface RedisStoreOptions {
  /**
   * The Redis to use: an ioredis client (`Redis`, or a `Cluster`), or a URL (`redis://host:6379/0`). Default
   * `redis://127.0.0.1:6379`. A client you pass stays yours: `close()` does not close it. A client the store builds
   * from a URL fails fast while disconnected (no offline queue), which is what fail-open wants.
   */
  redis?: RedisClient | string;
  /** Prefix of every key name and of the events channel (`<prefix>:events`). Default `keypool`. */
  prefix?: string;
  /**
   * The pool's Redis Cluster hash tag: every key of the pool hashes to one slot (so each script, a quota group's
   * cooling included, stays atomic on one shard) and pools with different tags spread over the shards. `true` (the
   * default) derives it from the prefix (`{openai}:key:...`, or the `{tag}` the prefix already holds); a string is the
   * tag under the prefix (`keypool:{openai}:key:...`); `false` uses none (a single node or primary only). Give each
   * pool its own prefix or tag.
   */
  hashTag?: boolean | string;
  /** A Redis call slower than this (ms) counts as a failure: the store serves the call locally. Default 50. */
  timeoutMs?: number;
  /** Publish key changes on `<prefix>:events` and deliver other processes' changes to `subscribe`. Default true. */
  pubsub?: boolean;
  /** How long `register` waits for the first connection before serving locally. Default 2,000 ms. */
  connectTimeoutMs?: number;
  /** An unused key's state expires this long after its last write (after its cooldown's end). Default 1 day. */
  stateTtlMs?: number;
  /** A disabled key's state expires this long after its last write. Default 30 days. */
  disabledTtlMs?: number;
  /** A key's failure history (`<base>:history:<fingerprint>`) expires this long after its last failure. Default 7 days. */
  historyTtlMs?: number;
  /**
   * A half-open probe that was never recorded (its process died) blocks the key at most this long; then another
   * attempt may probe. Keep it above your pool's `deadlineMs`. Default 60,000 ms; 0 waits forever.
   */
  probeLeaseMs?: number;
  /**
   * A request counts in the rpm and rpd windows until one window after its attempt is recorded, not only after its
   * reservation: the provider counts it when it arrives, which can be well after the reservation on a busy machine
   * (and is always before the answer). Default true. False counts exactly like core's `MemoryStateStore`.
   */
  countUntilRecorded?: boolean;
  /**
   * While degraded, Redis is checked after `initialDelayMs`, doubling up to `maxDelayMs`. Default 100 and 500: each
   * process counts only its own calls while degraded, so a late rejoin costs 429s; a ping every 500 ms costs nothing.
   */
  healthCheck?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Status changes kept during an outage, to write to Redis on rejoin (oldest dropped first). Default 10,000. */
  maxPendingChanges?: number;
}

type Listener = (fingerprint: string, view: KeyStateView) => void;
type Pending = () => Promise<unknown>;

const READ_CHUNK = 256;

/**
 * Core's `StateStore` on Redis: every process that uses the same Redis (and prefix) shares one pool. `reserve` and
 * `record` are one Lua script each (one round trip), `read` is batched. Time is the `now` the engine passes, so the
 * processes' clocks must agree (one machine, or NTP).
 *
 * Fail-open: when Redis fails or is slower than `timeoutMs`, the store serves from a local `MemoryStateStore`, emits
 * `store.degraded`, checks Redis with backoff and emits `store.recovered` when it rejoins.
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
  private readonly stateTtlMs: number;
  private readonly disabledTtlMs: number;
  private readonly historyTtlMs: number;
  private readonly probeLeaseMs: number;
  private readonly countUntilRecorded: boolean;
  private readonly healthInitialMs: number;
  private readonly healthMaxMs: number;
  private readonly maxPending: number;
  private readonly origin = randomUUID();
  private readonly events = new TypedEmitter<RedisStoreEvents>();
  private readonly fallback = new MemoryStateStore();
  private readonly scripts = {
    reserve: new LuaScript(RESERVE_SCRIPT),
    record: new LuaScript(RECORD_SCRIPT),
    read: new LuaScript(READ_SCRIPT),
    setStatus: new LuaScript(SET_STATUS_SCRIPT),
    restore: new LuaScript(RESTORE_SCRIPT),
    release: new LuaScript(RELEASE_SCRIPT),
    mergeWindows: new LuaScript(MERGE_WINDOWS_SCRIPT),
  };
  private windows: WindowLengths = { minuteMs: 60_000, dayMs: 86_400_000 };
  private readonly registered = new Map<string, StoreKey>();
  /** The last state Redis returned per key: seeds the fallback when Redis goes away. */
  private readonly lastViews = new Map<string, KeyStateView>();
  /** Reservations served by the fallback and not yet recorded, per key: their records go to the fallback too. */
  private readonly localReservations = new Map<string, number>();
  private pending: Pending[] = [];
  private degradedSince: number | undefined;
  private healthTimer: ReturnType<typeof setTimeout> | undefined;
  private healthDelayMs: number;
  private checking = false;
  private subscriber: RedisClient | undefined;
  private readonly listeners = new Set<Listener>();
  private closed = false;

  constructor(options: RedisStoreOptions = {}) {
    const prefix = options.prefix ?? 'keypool';
    this.names = redisKeyNames(prefix, options.hashTag ?? true);
    this.timeoutMs = options.timeoutMs ?? 50;
    this.pubsub = options.pubsub ?? true;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.stateTtlMs = options.stateTtlMs ?? 86_400_000;
    this.disabledTtlMs = options.disabledTtlMs ?? 30 * 86_400_000;
    this.historyTtlMs = options.historyTtlMs ?? 7 * 86_400_000;
    this.probeLeaseMs = options.probeLeaseMs ?? 60_000;
    this.countUntilRecorded = options.countUntilRecorded ?? true;
    this.healthInitialMs = options.healthCheck?.initialDelayMs ?? 100;
    this.healthMaxMs = options.healthCheck?.maxDelayMs ?? 500;
    this.healthDelayMs = this.healthInitialMs;
    this.maxPending = options.maxPendingChanges ?? 10_000;
    if (options.redis === undefined || typeof options.redis === 'string') {
      this.client = connectFailFast(options.redis ?? 'redis://127.0.0.1:6379');
      this.ownsClient = true;
    } else {
      this.client = options.redis;
      this.ownsClient = false;
    }
  }

  // ---------------------------------------------------------------- events and health

  /** Listens to one store event (`store.degraded`, `store.recovered`, `store.error`). Returns the unsubscribe. */
  on<K extends RedisStoreEventName>(name: K, listener: (event: RedisStoreEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** True while the store serves from its local fallback because Redis failed. */
  get degraded(): boolean {
    return this.degradedSince !== undefined;
  }

  private degrade(operation: string, error: unknown, now: number): void {
    if (this.degradedSince !== undefined || this.closed) return;
    this.degradedSince = Date.now();
    // The fallback starts from what Redis last said: disabled keys stay disabled, cooldowns hold.
    const seeds = new Map<string, PersistedKeyState>();
    for (const [fingerprint, view] of this.lastViews) seeds.set(fingerprint, persistedStateOf(view));
    void this.fallback.restore(seeds, now);
    this.events.emit('store.degraded', { operation, message: messageOf(error), at: this.degradedSince });
    this.healthDelayMs = this.healthInitialMs;
    this.scheduleHealthCheck();
  }

  private scheduleHealthCheck(): void {
    if (this.closed || this.healthTimer || this.degradedSince === undefined) return;
    const delay = this.healthDelayMs;
    this.healthDelayMs = Math.min(this.healthDelayMs * 2, this.healthMaxMs);
    this.healthTimer = setTimeout(() => {
      this.healthTimer = undefined;
      void this.checkHealth();
    }, delay);
    this.healthTimer.unref?.();
  }

  private async checkHealth(): Promise<void> {
    if (this.closed || this.checking || this.degradedSince === undefined) return;
    this.checking = true;
    let replayed = 0;
    try {
      await withTimeout(this.client.ping(), this.timeoutMs, 'ping');
      // A restarted Redis has an empty script cache: load the scripts now rather than on the first calls.
      await withTimeout(
        Promise.all(Object.values(this.scripts).map((script) => this.client.script('LOAD', script.source))),
        this.timeoutMs,
        'script load',
      ).catch(() => undefined);
      // Status changes made during the outage go to Redis first (each is idempotent), then calls follow.
      while (this.pending.length > 0) {
        const change = this.pending[0]!;
        await withTimeout(change(), this.timeoutMs, 'replay');
        this.pending.shift();
        replayed++;
      }
      await this.handOverLocalCounts();
    } catch {
      this.checking = false;
      this.scheduleHealthCheck();
      return;
    }
    this.checking = false;
    const at = Date.now();
    const downMs = at - this.degradedSince;
    this.degradedSince = undefined;
    this.events.emit('store.recovered', { at, downMs, replayed });
  }

  /**
   * Gives Redis the window units this process counted locally during the outage, so the processes' shared windows
   * hold everything sent again (a restarted Redis is empty). On failure the units go back to the fallback.
   */
  private async handOverLocalCounts(): Promise<void> {
    const now = Date.now();
    const taken = this.fallback.takeWindowUnits(now);
    const known = [...taken].filter(([fingerprint]) => this.registered.has(fingerprint));
    if (known.length === 0) return;
    try {
      await withTimeout(
        this.run(
          this.scripts.mergeWindows,
          known.map(([fingerprint]) => this.names.key(fingerprint)),
          [...this.context(now), ...known.map(([, units]) => JSON.stringify(units))],
        ),
        this.timeoutMs,
        'merge windows',
      );
    } catch (error) {
      this.fallback.giveBackWindowUnits(taken, Date.now());
      throw error;
    }
  }

  private queue(change: Pending): void {
    this.pending.push(change);
    if (this.pending.length > this.maxPending) this.pending.splice(0, this.pending.length - this.maxPending);
  }

  // ---------------------------------------------------------------- script arguments

  private context(now: number): (string | number)[] {
    return [
      now,
      this.windows.minuteMs,
      this.windows.dayMs,
      this.stateTtlMs,
      this.disabledTtlMs,
      this.pubsub ? this.names.channel : '',
      this.origin,
    ];
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
    this.windows = windows;
    for (const key of keys) this.registered.set(key.fingerprint, key);
    await this.fallback.register(keys, windows);
    if (this.degradedSince === undefined && !(await this.connected()))
      this.degrade('register', new Error('redis is not connected'), Date.now());
  }

  /** Checks a key and counts one attempt on it, atomically across every process (one EVALSHA). */
  async reserve(key: StoreKey, cost: ReserveCost, now: number): Promise<ReserveResult> {
    if (this.degradedSince !== undefined || this.closed) return this.reserveLocally(key, cost, now);
    const call = this.run(
      this.scripts.reserve,
      [this.names.key(key.fingerprint)],
      [...this.context(now), ...limitArgs(key), cost.requests, cost.tokens, this.probeLeaseMs],
    );
    try {
      const result = decodeReserve(await withTimeout(call, this.timeoutMs, 'reserve'));
      this.lastViews.set(key.fingerprint, result.view);
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
      this.degrade('reserve', error, now);
      return this.reserveLocally(key, cost, now);
    }
  }

  private reserveLocally(key: StoreKey, cost: ReserveCost, now: number): ReserveResult {
    const result = this.fallback.reserveNow(key, cost, now);
    if (result.ok)
      this.localReservations.set(key.fingerprint, (this.localReservations.get(key.fingerprint) ?? 0) + 1);
    return { ...result, view: copyView(result.view) };
  }

  private release(key: StoreKey, probe: boolean, now: number): void {
    this.run(
      this.scripts.release,
      [this.names.key(key.fingerprint)],
      [...this.context(now), probe ? 1 : 0],
    ).catch((error: unknown) =>
      this.events.emit('store.error', { operation: 'release', message: messageOf(error) }),
    );
  }

  /** Records an attempt's end: reconciles its reservation, applies cooldown/disable/group, stats (one EVALSHA). */
  async record(key: StoreKey, attempt: AttemptRecord): Promise<RecordResult> {
    const fingerprint = key.fingerprint;
    const local = this.localReservations.get(fingerprint) ?? 0;
    if (local > 0) {
      // Reserved in the fallback: reconciled there. Only its cooldown or disable goes to Redis (never its counts).
      if (local === 1) this.localReservations.delete(fingerprint);
      else this.localReservations.set(fingerprint, local - 1);
      const result = this.fallback.recordNow(key, attempt);
      if (!hasStatusEffect(attempt)) return { view: copyView(result.view), recovered: result.recovered };
      const shared = await this.applyStatusEffect(key, attempt);
      return { view: shared ?? copyView(result.view), recovered: result.recovered };
    }
    if (this.degradedSince !== undefined || this.closed) return this.recordLocally(key, attempt);
    const call = this.run(
      this.scripts.record,
      this.recordKeys(key, attempt),
      this.recordArgs(key, attempt, 'full'),
    );
    try {
      const reply = (await withTimeout(call, this.timeoutMs, 'record')) as [number, string];
      const view = decodeKeyState(reply[1]);
      this.lastViews.set(fingerprint, view);
      return { view, recovered: reply[0] === 1 };
    } catch (error) {
      call.catch(() => undefined);
      this.degrade('record', error, attempt.now);
      return this.recordLocally(key, attempt);
    }
  }

  /** Records an attempt Redis reserved while Redis is away: the fallback counts it, Redis gets its status later. */
  private recordLocally(key: StoreKey, attempt: AttemptRecord): RecordResult {
    if (hasStatusEffect(attempt)) this.queue(() => this.runStatusEffect(key, attempt));
    const { actualTokens: _actual, ...rest } = attempt;
    const result = this.fallback.recordNow(key, { ...rest, reservedTokens: 0, probe: false });
    return { view: copyView(result.view), recovered: result.recovered };
  }

  private async applyStatusEffect(key: StoreKey, attempt: AttemptRecord): Promise<KeyStateView | undefined> {
    if (this.degradedSince !== undefined || this.closed) {
      this.queue(() => this.runStatusEffect(key, attempt));
      return undefined;
    }
    const call = this.runStatusEffect(key, attempt);
    try {
      return await withTimeout(call, this.timeoutMs, 'record');
    } catch (error) {
      call.catch(() => undefined);
      this.queue(() => this.runStatusEffect(key, attempt));
      this.degrade('record', error, attempt.now);
      return undefined;
    }
  }

  private async runStatusEffect(key: StoreKey, attempt: AttemptRecord): Promise<KeyStateView> {
    const reply = (await this.run(
      this.scripts.record,
      this.recordKeys(key, attempt),
      this.recordArgs(key, attempt, 'status'),
    )) as [number, string];
    const view = decodeKeyState(reply[1]);
    this.lastViews.set(key.fingerprint, view);
    return view;
  }

  private groupOf(key: StoreKey, attempt: AttemptRecord): readonly StoreKey[] {
    if (!attempt.group || attempt.cooldownUntil === undefined) return [];
    return attempt.group.filter((member) => member.fingerprint !== key.fingerprint);
  }

  private recordKeys(key: StoreKey, attempt: AttemptRecord): string[] {
    const group = this.groupOf(key, attempt);
    return [key, ...group].map((member) => this.names.key(member.fingerprint));
  }

  private recordArgs(key: StoreKey, attempt: AttemptRecord, mode: 'full' | 'status'): (string | number)[] {
    const requests = attempt.learned?.requests;
    const tokens = attempt.learned?.tokens;
    return [
      ...this.context(attempt.now),
      ...limitArgs(key),
      mode,
      attempt.outcome,
      attempt.reservedTokens,
      attempt.actualTokens ?? '',
      attempt.latencyMs,
      attempt.category ?? '',
      attempt.cooldownUntil ?? '',
      attempt.disable ? 1 : 0,
      attempt.reason ?? '',
      attempt.probe ? 1 : 0,
      requests ? JSON.stringify(requests) : '',
      requests?.limit ?? '',
      requests?.remaining ?? '',
      requests?.resetAt ?? '',
      tokens ? JSON.stringify(tokens) : '',
      tokens?.limit ?? '',
      tokens?.remaining ?? '',
      tokens?.resetAt ?? '',
      attempt.learned ? 1 : 0,
      this.countUntilRecorded ? 1 : 0,
      ...this.groupOf(key, attempt).map((member) => member.fingerprint),
    ];
  }

  /** Enables or disables a key for every process (and tells them over pub/sub). */
  async setStatus(key: StoreKey, change: StatusChange, now: number): Promise<KeyStateView> {
    const local = await this.fallback.setStatus(key, change, now);
    const write = async () => {
      const reply = (await this.run(
        this.scripts.setStatus,
        [this.names.key(key.fingerprint)],
        [
          ...this.context(now),
          ...limitArgs(key),
          change.enabled ? 1 : 0,
          change.reason ?? '',
          change.reset ? 1 : 0,
        ],
      )) as string;
      const view = decodeKeyState(reply);
      this.lastViews.set(key.fingerprint, view);
      return view;
    };
    return (await this.writeOrQueue('setStatus', write, now)) ?? copyView(local);
  }

  /** Reads many keys' shared state in one round trip. */
  async read(keys: readonly StoreKey[], now: number): Promise<KeyStateView[]> {
    if (keys.length === 0) return [];
    if (this.degradedSince !== undefined || this.closed) return this.readLocally(keys, now);
    const chunks: Promise<unknown>[] = [];
    for (let start = 0; start < keys.length; start += READ_CHUNK) {
      const chunk = keys.slice(start, start + READ_CHUNK);
      chunks.push(
        this.run(
          this.scripts.read,
          chunk.map((key) => this.names.key(key.fingerprint)),
          [...this.context(now), ...chunk.flatMap(limitsOf)],
        ),
      );
    }
    const all = Promise.all(chunks);
    try {
      const replies = (await withTimeout(all, this.timeoutMs, 'read')) as string[][];
      const views = replies.flat().map(decodeKeyState);
      views.forEach((view, index) => {
        this.lastViews.set(keys[index]!.fingerprint, view);
      });
      return views;
    } catch (error) {
      all.catch(() => undefined);
      this.degrade('read', error, now);
      return this.readLocally(keys, now);
    }
  }

  private async readLocally(keys: readonly StoreKey[], now: number): Promise<KeyStateView[]> {
    const views = await this.fallback.read(keys, now);
    return views.map(copyView);
  }

  /** Forgets a key (its state and failure history), in Redis too. */
  async remove(key: StoreKey): Promise<void> {
    this.registered.delete(key.fingerprint);
    this.lastViews.delete(key.fingerprint);
    this.localReservations.delete(key.fingerprint);
    await this.fallback.remove(key);
    const name = this.names.key(key.fingerprint);
    const history = this.names.history(key.fingerprint);
    await this.writeOrQueue('remove', () => this.client.del(name, history), Date.now());
  }

  /** Restores saved state for the keys Redis holds nothing for (the shared state wins over a snapshot). */
  async restore(states: ReadonlyMap<string, PersistedKeyState>, now: number): Promise<void> {
    await this.fallback.restore(states, now);
    const known = [...states].filter(([fingerprint]) => this.registered.has(fingerprint));
    if (known.length === 0) return;
    await this.writeOrQueue(
      'restore',
      () =>
        this.run(
          this.scripts.restore,
          known.map(([fingerprint]) => this.names.key(fingerprint)),
          [...this.context(now), ...known.map(([, state]) => JSON.stringify(state))],
        ),
      now,
    );
  }

  /** Runs an administrative write now, or (Redis away) keeps it for the rejoin. Undefined when it was kept. */
  private async writeOrQueue<T>(
    operation: string,
    write: () => Promise<T>,
    now: number,
  ): Promise<T | undefined> {
    if (this.degradedSince !== undefined || this.closed) {
      this.queue(write);
      return undefined;
    }
    const call = write();
    try {
      return await withTimeout(call, this.timeoutMs, operation);
    } catch (error) {
      call.catch(() => undefined);
      this.queue(write);
      this.degrade(operation, error, now);
      return undefined;
    }
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
    if (this.degradedSince !== undefined || this.closed) return;
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
    if (this.degradedSince !== undefined || this.closed) return fingerprints.map(() => undefined);
    const call = readFailureLists(
      this.client,
      fingerprints.map((fingerprint) => this.names.history(fingerprint)),
    );
    call.catch(() => undefined);
    return withTimeout(call, this.timeoutMs, 'readHistory');
  }

  /** Delivers other processes' key changes (cooled, disabled, enabled, recovered) as they happen. */
  subscribe(listener: Listener): () => void {
    if (!this.pubsub) return () => undefined;
    this.listeners.add(listener);
    this.startSubscriber();
    return () => {
      this.listeners.delete(listener);
    };
  }

  private startSubscriber(): void {
    if (this.subscriber || this.closed) return;
    const subscriber = duplicateForSubscribe(this.client);
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.names.channel) this.deliver(message);
    });
    subscriber.subscribe(this.names.channel).catch((error: unknown) => {
      this.events.emit('store.error', { operation: 'subscribe', message: messageOf(error) });
    });
  }

  private deliver(message: string): void {
    let fingerprint: string;
    let view: KeyStateView;
    try {
      const [origin, from, fields] = JSON.parse(message) as [string, string, Record<string, unknown>];
      if (origin === this.origin) return;
      fingerprint = from;
      view = decodeKeyState(fields);
    } catch (error) {
      this.events.emit('store.error', { operation: 'subscribe', message: messageOf(error) });
      return;
    }
    this.lastViews.set(fingerprint, view);
    for (const listener of this.listeners) {
      try {
        listener(fingerprint, view);
      } catch {
        // A listener's failure must not stop the others.
      }
    }
  }

  /** Stops health checks and pub/sub, and closes the connection the store opened (never one you passed in). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
    this.listeners.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    subscriber?.disconnect();
    if (this.ownsClient) await quit(this.client, Math.max(this.timeoutMs, 250));
  }

  /** Waits (up to `connectTimeoutMs`) until the client is connected. */
  private connected(): Promise<boolean> {
    const client = this.client;
    if (client.status === 'ready') return Promise.resolve(true);
    if (client.status === 'end') return Promise.resolve(false);
    if (client.status === 'wait') client.connect().catch(() => undefined);
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), this.connectTimeoutMs);
      client.once('ready', onReady);
    });
  }
}

/** Builds a Redis state store. See `RedisStoreOptions`; with no options it uses `redis://127.0.0.1:6379`. */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStateStore {
  return new RedisStateStore(options);
}

/** A key's limits as script arguments ('' for a limit that is not set). */
function limitsOf(key: StoreKey): (string | number)[] {
  const { rpm, tpm, rpd } = key.limits;
  return [rpm ?? '', tpm ?? '', rpd ?? ''];
}

/** The fingerprint and limits, as the per-key scripts take them. */
function limitArgs(key: StoreKey): (string | number)[] {
  return [key.fingerprint, ...limitsOf(key)];
}

/**
 * A copy of a fallback view. The engine adjusts the views a networked store returns in place (in-flight, cooldown),
 * which must not reach the fallback's live state behind its back.
 */
function copyView(view: KeyStateView): KeyStateView {
  return {
    ...view,
    usage: { ...view.usage },
    failures: { ...view.failures },
    ...(view.learned ? { learned: { ...view.learned } } : {}),
  };
}

function hasStatusEffect(attempt: AttemptRecord): boolean {
  return attempt.outcome === 'failure' && (attempt.cooldownUntil !== undefined || attempt.disable === true);
}

function decodeReserve(reply: unknown): ReserveResult {
  const [ok, why, retryAt, probe, encoded] = reply as [number, string, string, number, string];
  const view = decodeKeyState(encoded);
  if (ok === 1) return { ok: true, view, probe: probe === 1 };
  return {
    ok: false,
    view,
    retryAt: retryAt === 'inf' ? Number.POSITIVE_INFINITY : Number(retryAt),
    why: why as 'disabled' | 'cooling' | 'probing' | 'capacity',
  };
}

/** A client that fails at once while disconnected (no offline queue, no resend), and reconnects in the background. */
function connectFailFast(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
  });
  // Connection errors surface as `store.degraded`; without a listener ioredis would print them.
  client.on('error', () => undefined);
  return client;
}

/** A second connection for SUBSCRIBE (a subscribed connection can run nothing else). It queues until connected. */
function duplicateForSubscribe(client: RedisClient): RedisClient {
  if (client instanceof Redis)
    return client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  return client.duplicate();
}

async function quit(client: RedisClient, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(client.quit(), timeoutMs, 'quit');
  } catch {
    client.disconnect();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
