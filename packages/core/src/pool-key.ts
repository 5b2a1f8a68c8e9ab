import type { ClientHooks } from './adapter';
import type { KeyConfig, KeyLimits } from './config';
import type { KeyRef } from './events';
import { KeyScope } from './key-scope';
import type { RateLimitInfo } from './rate-limit-info';
import { fingerprintSecret, maskSecret } from './secret';
import type { MalformedStreamEvent } from './skip-malformed-events';
import { FRESH_KEY_STATE, type KeyStateView, type StoreKey } from './state-store';

/** The method `util.inspect` calls (Node); the engine's classes name themselves with it, without a secret. */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const NO_SCOPES: ReadonlyMap<string, KeyScope> = new Map();

/**
 * One key inside a pool. The secret and the client live in private fields: inspect and JSON never show them.
 * `view` is the key-level state (disabled by an auth failure, cooling for a spent quota); rate-limit state lives in
 * its `scopes`, one per model scope the pool has called with this key.
 */
export class PoolKey {
  readonly id: string;
  /** Position in the pool's affinity array. */
  slot: number;
  /** Insertion order in the pool, increasing: ready lists are sorted by it. */
  readonly order: number;
  readonly weight: number;
  readonly masked: string;
  readonly fingerprint: string;
  readonly limits: KeyLimits;
  /** The key-level store entry: status and spent-quota cooldowns. */
  readonly storeKey: StoreKey;
  readonly tags: readonly string[];
  readonly quotaGroup: string | undefined;
  readonly startsDisabled: boolean;
  view: KeyStateView;
  #scopes: Map<string, KeyScope> | undefined;
  /** Rate-limit info the key's client reported since its last recorded attempt. */
  pendingLearned: RateLimitInfo | undefined;
  /** Removed from its pool: calls in flight finish, nothing new selects it. */
  removed = false;
  readonly #secret: string;
  #client: unknown;

  constructor(config: KeyConfig, slot: number, order: number) {
    this.id = config.id;
    this.slot = slot;
    this.order = order;
    this.weight = config.weight ?? 1;
    this.#secret = config.secret;
    this.masked = maskSecret(config.secret);
    this.fingerprint = fingerprintSecret(config.secret);
    this.limits = config.limits ?? {};
    this.storeKey = { fingerprint: this.fingerprint, limits: {} };
    this.tags = config.tags ?? [];
    this.quotaGroup = config.quotaGroup;
    this.startsDisabled = config.enabled === false;
    this.view = FRESH_KEY_STATE;
  }

  secret(): string {
    return this.#secret;
  }

  /** Its state per model scope, created on the first call for that scope (an idle key holds no map). */
  get scopes(): ReadonlyMap<string, KeyScope> {
    return this.#scopes ?? NO_SCOPES;
  }

  /** The key's state for one model scope, created on first use. */
  scope(name: string): KeyScope {
    this.#scopes ??= new Map();
    let scope = this.#scopes.get(name);
    if (!scope) {
      scope = new KeyScope(this, name);
      this.#scopes.set(name, scope);
    }
    return scope;
  }

  /** Enabled and not cooling at the key level (a spent quota). */
  usable(now: number): boolean {
    return !this.removed && this.view.status === 'active' && this.view.cooldownUntil <= now;
  }

  /** When the key level allows calls again (+Infinity when disabled or removed). */
  availableAt(now: number): number {
    if (this.removed || this.view.status === 'disabled') return Number.POSITIVE_INFINITY;
    return Math.max(now, this.view.cooldownUntil);
  }

  /** Set on every use of the client; the pool's client cache clears it when it looks for one to drop. */
  clientUsed = false;
  /** Where the pool's `ClientCache` holds this key's client (-1 when it holds none): removal is O(1). */
  clientSlot = -1;

  /** The key's SDK client, if it has one now. */
  cachedClient<T>(): T | undefined {
    return this.#client as T | undefined;
  }

  /** Builds the key's SDK client (on first use, so an idle key costs no client). */
  buildClient<T>(
    create: (secret: string, hooks: ClientHooks) => T,
    onLearned: (key: PoolKey) => void,
    onMalformed?: (key: PoolKey, event: MalformedStreamEvent) => void,
  ): T {
    const client = create(this.#secret, {
      reportRateLimit: (info) => {
        this.pendingLearned = { ...this.pendingLearned, ...info };
        onLearned(this);
      },
      // Streams: a malformed event that cannot carry text is skipped and reported (stream.malformed_event).
      ...(onMalformed ? { reportMalformedEvent: (event) => onMalformed(this, event) } : {}),
    });
    this.#client = client;
    return client;
  }

  /** Drops the cached client (the pool's client cache evicted it); the next call builds a new one. */
  dropClient(): void {
    this.#client = undefined;
  }

  ref(): KeyRef {
    return { keyId: this.id, masked: this.masked };
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, masked: this.masked, fingerprint: this.fingerprint };
  }

  [INSPECT](): string {
    return `PoolKey(${this.id} ${this.masked})`;
  }
}
