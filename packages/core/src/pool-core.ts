import type { ProviderAdapter } from './adapter';
import type { AdaptiveLimit, AdaptiveLimiter, SharedRate } from './adaptive-limit';
import type { CooldownBounds } from './backoff';
import type { ErrorCategory, ProviderName } from './categories';
import { ClientCache } from './client-cache';
import type { KeyConfig } from './config';
import type { ProviderError } from './errors';
import type { EventStamp, PoolEventFields, PoolEventName, PoolEvents } from './events';
import { TypedEmitter } from './events';
import { KeyBindings } from './key-bindings';
import type { KeyScope } from './key-scope';
import type { MemoryStateStore } from './memory-store';
import { requireKeyForModel } from './no-key-for-model-error';
import type { PolicyTable } from './policy';
import { PoolKey } from './pool-key';
import type { AttemptOutcome } from './pool-options';
import type { RateLimitInfo } from './rate-limit-info';
import { ScopeIndex } from './scope-index';
import { createSecretScrubber, type TextScrubber } from './secret-scrubber';
import type { KeySelector, SelectableKey, SelectionContext } from './selectors';
import type { StateStore, WindowLengths } from './state-store';

/** The pool's options after defaults. */
export interface PoolSettings {
  policy: PolicyTable;
  cooldown: CooldownBounds;
  windows: WindowLengths;
  maxAttempts: number | undefined;
  attemptTimeoutMs: number | undefined;
  deadlineMs: number;
  maxWaitMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** The retry backoff's growth per step and randomised share (`retryBackoff`). */
  retryFactor: number;
  retryJitter: number;
  /** Failure counts start again after this long without a failure (`failureResetMs`); undefined: only on success. */
  failureResetMs: number | undefined;
  streamIdleTimeoutMs: number | undefined;
  firstByteTimeoutMs: number;
  /** The adaptive-limit plug-in (`adaptiveLimits`), if the pool learns rates from 429s. */
  adaptiveLimits: AdaptiveLimiter | undefined;
  maxClients: number;
  modelScope: ((model: string) => string) | undefined;
  now: () => number;
  random: () => number;
}

/** What one call keeps across its attempts. */
export interface CallState {
  /** When the call began (its first attempt's selection reads the clock from here). */
  begunAt: number;
  deadline: number;
  maxAttempts: number;
  cost: { requests: number; tokens: number };
  errors: ProviderError[];
  retriesUsed: Partial<Record<ErrorCategory, number>>;
  /** The model of the call, if it named one, and its scope's index. */
  model: string | undefined;
  index: ScopeIndex;
  /** Keys that failed this call with a retryable fault: a retry goes elsewhere when it can. */
  avoid: Set<PoolKey> | undefined;
  /** The key of the last attempt and why it failed (for `key.rotated`). */
  last: { key: PoolKey; category: ErrorCategory } | undefined;
  /** Time spent waiting in place so far; bounded by `maxWaitMs`. */
  waitedMs: number;
}

/** One attempt's hold on a key and scope. */
export interface Lease {
  key: PoolKey;
  item: KeyScope;
  probe: boolean;
  reservedTokens: number;
  attempt: number;
  startedAt: number;
  model: string | undefined;
  learned: RateLimitInfo | undefined;
  usedTokens: number | undefined;
  onAttempt: ((attempt: AttemptOutcome) => void) | undefined;
}

/**
 * The state one pool's parts share: its keys, their indexes per model scope, the store, the settings and the event
 * emitter. `KeyPool` is the public face; `lease.ts`, `settle.ts`, `execute.ts`, `admin.ts` and `pool-state.ts` each do
 * one part of the work on this. Taking keys out and swapping secrets are functions of `pool-key-changes.ts`, so a
 * bundle without run-time administration (the lean engine) leaves them out.
 */
export class PoolCore<TClient> {
  readonly provider: ProviderName;
  readonly adapter: ProviderAdapter<TClient>;
  readonly store: StateStore;
  /** Set when the store is the in-memory one: reservations and records are then synchronous. */
  readonly memoryStore: MemoryStateStore | undefined;
  readonly settings: PoolSettings;
  readonly selector: KeySelector;
  readonly events = new TypedEmitter<PoolEvents>();
  /** Keys by id, in pool order. */
  readonly keys = new Map<string, PoolKey>();
  /** Keys by affinity slot (order changes when keys are removed). */
  readonly slots: PoolKey[] = [];
  /** Keys by quota group. */
  readonly groups = new Map<string, PoolKey[]>();
  /** Keys by fingerprint, for store updates from other processes. */
  readonly byFingerprint = new Map<string, PoolKey>();
  private nextOrder = 0;
  private scrubber: TextScrubber | undefined;
  /** The latest end of any key's health penalty: before it, selection first looks for an unpenalised key. */
  penaltiesUntil = 0;
  /** Keys bound to models, priority tiers, the primary key (keysource: model-bound keys and the priority strategy). */
  readonly bindings = new KeyBindings();
  /** The SDK clients the keys hold, bounded by `maxClients`. */
  readonly clients: ClientCache;
  /** One index per model scope the pool has been called with. */
  readonly indices = new Map<string, ScopeIndex>();
  /** Per model scope, the request rate last learned from 429s alone: where a key with no rate of its own starts. */
  private readonly sharedRates = new Map<string, SharedRate>();
  /**
   * The selector's view of the moment; `usable` reads `now` from here and, when `strict`, also rules out the keys the
   * call avoids and keys under a health penalty.
   */
  readonly selection: SelectionContext & { avoid: Set<PoolKey> | undefined; strict: boolean };

  constructor(
    adapter: ProviderAdapter<TClient>,
    store: StateStore,
    memoryStore: MemoryStateStore | undefined,
    selector: KeySelector,
    settings: PoolSettings,
  ) {
    this.adapter = adapter;
    this.provider = adapter.provider;
    this.store = store;
    this.memoryStore = memoryStore;
    this.selector = selector;
    this.settings = settings;
    this.clients = new ClientCache(settings.maxClients);
    const selection = {
      now: 0,
      avoid: undefined as Set<PoolKey> | undefined,
      strict: false,
      random: settings.random,
      ranks: this.bindings,
      // A key in a ready list is usable: the index re-places a key whenever its state changes (the pick is checked
      // in full afterwards), so the selector's scan costs one field read per key.
      usable: (candidate: SelectableKey) => {
        const item = candidate as KeyScope;
        if (item.parked !== 'ready') return false;
        if (!selection.strict) return true;
        return item.penaltyUntil <= selection.now && !selection.avoid?.has(item.key);
      },
    };
    this.selection = selection;
  }

  now(): number {
    return this.settings.now();
  }

  /** The model scope of a call's model (`*` when it names none). */
  scopeName(model: string | undefined): string {
    if (model === undefined || model === '') return '*';
    // Model-bound keys: a scope is the model itself, so the keys an index holds are exactly those allowed for it.
    if (this.bindings.modelBound > 0) return model;
    const rule = this.settings.modelScope ?? this.adapter.modelScope?.bind(this.adapter);
    return rule ? rule(model) : model;
  }

  /** The index of one model scope, built over every key on its first use. */
  index(scope: string): ScopeIndex {
    if (this.bindings.modelBound > 0) requireKeyForModel(this, scope);
    let index = this.indices.get(scope);
    if (!index) {
      const bindings = this.bindings;
      const keys = this.keys.values();
      index = new ScopeIndex(
        scope,
        bindings.modelBound > 0 ? [...keys].filter((key) => bindings.allows(key, scope)) : keys,
        this.now(),
      );
      this.indices.set(scope, index);
    }
    return index;
  }

  /** Re-evaluates where one key-and-scope belongs after its state changed. */
  place(item: KeyScope, now = this.now()): void {
    if (item.key.removed) return;
    this.indices.get(item.scope)?.place(item, now);
  }

  /** Re-evaluates every scope of a key after a key-level change (disable, enable, spent quota). */
  placeKey(key: PoolKey): void {
    const now = this.now();
    for (const index of this.indices.values())
      if (this.bindings.allows(key, index.scope)) index.place(key.scope(index.scope), now);
  }

  /** Adds a key to the maps and to every existing scope index. O(1) plus O(log n) per index. */
  insertKey(config: KeyConfig, order?: number): PoolKey {
    // `order`: a key replaced by `updateKey` keeps its place in the pool's order.
    const key = new PoolKey(config, this.slots.length, order ?? this.nextOrder++);
    this.bindings.set(key, config);
    this.secretsChanged();
    this.keys.set(key.id, key);
    this.slots.push(key);
    this.byFingerprint.set(key.fingerprint, key);
    if (key.quotaGroup !== undefined) {
      const members = this.groups.get(key.quotaGroup);
      if (members) members.push(key);
      else this.groups.set(key.quotaGroup, [key]);
    }
    this.placeKey(key);
    return key;
  }

  /** Forgets the scrubber built for the current secrets (a key was added, removed or given a new secret). */
  secretsChanged(): void {
    this.scrubber = undefined;
  }

  /** The key's SDK client, built on its first call. */
  clientOf(key: PoolKey): TClient {
    const cached = key.cachedClient<TClient>();
    if (cached !== undefined) {
      key.clientUsed = true;
      return cached;
    }
    const client = key.buildClient(
      (secret, hooks) => this.adapter.createClient(secret, hooks),
      (learnedKey) => {
        if (!this.events.hasListeners('limits.learned')) return;
        const info = learnedKey.pendingLearned;
        this.emit('limits.learned', {
          ...learnedKey.ref(),
          provider: this.provider,
          requestsRemaining: info?.requests?.remaining,
          tokensRemaining: info?.tokens?.remaining,
        });
      },
      // Streams: each malformed event a key's client met, as a pool event (never its data).
      (malformedKey, event) =>
        this.emit('stream.malformed_event', { ...malformedKey.ref(), provider: this.provider, ...event }),
    );
    this.clients.added(key);
    return client;
  }

  /**
   * Scrubs every secret of the pool out of a text (and the secret of `key`, if it was removed while its attempt ran).
   * The scrubber is built once per set of keys: a failure costs a scan of its text, not of the keys.
   */
  scrub(text: string, key?: PoolKey): string {
    this.scrubber ??= createSecretScrubber([...this.keys.values()].map((each) => each.secret()));
    const out = this.scrubber(text);
    return key?.removed ? createSecretScrubber([key.secret()])(out) : out;
  }

  /** The same, as a function (for scrubbing an error's whole cause chain). */
  scrubberFor(key?: PoolKey): TextScrubber {
    return (text) => this.scrub(text, key);
  }

  /** Emits an event stamped with the time (and the call's model), if anyone listens. */
  /** A new learned-rate counter for a key's model scope, starting from the rate the scope's other keys learned. */
  adaptiveLimit(scope: string, limiter: AdaptiveLimiter): AdaptiveLimit {
    let shared = this.sharedRates.get(scope);
    if (!shared) {
      shared = { limit: undefined };
      this.sharedRates.set(scope, shared);
    }
    return limiter(this.settings.windows.minuteMs, shared);
  }

  emit<K extends PoolEventName>(name: K, fields: PoolEventFields[K], model?: string): void {
    if (!this.events.hasListeners(name)) return;
    const stamp: EventStamp = { at: this.now() };
    if (model !== undefined) stamp.model = model;
    this.events.emit(name, { ...fields, ...stamp } as PoolEvents[K]);
  }

  hasListeners(name: PoolEventName): boolean {
    return this.events.hasListeners(name);
  }
}
