import type { ErrorCategory, ProviderName } from './categories';
import type { ContinuationMethod } from './continuation-capabilities';
import type { ContinuationReason, ContinuationRecord } from './continued-stream-event';

/** How an event names a key: its id and masked secret, never the secret. */
export interface KeyRef {
  keyId: string;
  masked: string;
}

/** What every pool event carries besides its own fields. */
export interface EventStamp {
  /** When it happened (epoch ms, the pool's clock). */
  at: number;
  /** The model of the call it belongs to, when the call named one. */
  model?: string;
}

/** Every event a pool emits, by name, without the stamp every one of them carries (see `PoolEvents`). */
export interface PoolEventFields {
  'key.selected': KeyRef & { provider: ProviderName; attempt: number; probe: boolean };
  'key.cooldown': KeyRef & {
    provider: ProviderName;
    category: ErrorCategory;
    until: number;
    durationMs: number;
    reason: string;
  };
  'key.disabled': KeyRef & { provider: ProviderName; category: ErrorCategory | 'manual'; reason: string };
  'key.enabled': KeyRef & { provider: ProviderName };
  'key.recovered': KeyRef & { provider: ProviderName };
  'key.added': KeyRef & { provider: ProviderName };
  'key.removed': KeyRef & { provider: ProviderName };
  /** A key got a new secret (`updateKeySecret`, e.g. rotated in a secret store); `masked` is the new one's. */
  'key.secret_updated': KeyRef & { provider: ProviderName; previousMasked: string; enabled: boolean };
  /** A key's settings changed while it stayed in the pool (`updateKey`): `changed` names the fields. */
  'key.updated': KeyRef & { provider: ProviderName; changed: string[] };
  /** A key became the pool's primary (`setPrimaryKey`): the `priority` strategy tries it first. */
  'key.primary': KeyRef & { provider: ProviderName; previousKeyId?: string };
  'request.success': KeyRef & {
    provider: ProviderName;
    attempts: number;
    latencyMs: number;
    /** Tokens used, when the answer reported them. */
    totalTokens?: number;
  };
  /** A call's next attempt goes to another key than its last one, and why. */
  'key.rotated': {
    provider: ProviderName;
    fromKeyId: string;
    /** The masked secret of the key the last attempt used. */
    fromMasked: string;
    toKeyId: string;
    /** The masked secret of the key this attempt uses. */
    toMasked: string;
    reason: ErrorCategory;
    attempt: number;
  };
  'request.failure': KeyRef & {
    provider: ProviderName;
    attempt: number;
    category: ErrorCategory;
    status?: number;
    /** The provider's own error code (`insufficient_quota`, `invalid_api_key`...), when it sent one. */
    code?: string;
    message: string;
  };
  'request.retry': {
    provider: ProviderName;
    attempt: number;
    category: ErrorCategory;
    delayMs: number;
    fromKeyId: string;
    /** The masked secret of the key that failed. */
    fromMasked: string;
  };
  'request.wait': { provider: ProviderName; waitMs: number; scope?: string };
  /** A key's request rate learned from 429s alone changed (see `adaptiveLimits`). */
  'limits.adapted': KeyRef & { provider: ProviderName; scope: string; limit: number };
  'pool.exhausted': { provider: ProviderName; retryAfterMs: number | undefined; reason: string };
  'limits.learned': KeyRef & { provider: ProviderName; requestsRemaining?: number; tokensRemaining?: number };
  'store.error': { provider: ProviderName; operation: string; message: string };
  /** `pool.stream` broke after output reached the caller (a cut, a stall, an error event, a missing end). */
  'stream.interrupted': {
    provider: ProviderName;
    /** The key that broke, by id. */
    keyId?: string;
    /** Characters the caller had received (since the last restart). */
    chars: number;
    category: ErrorCategory;
    /** What happened, scrubbed of secrets. */
    message: string;
  };
  /**
   * A broken `pool.stream` went on, emitted once the key serving the continuation is known (its first chunk arrived)
   * and before its text (or its `restart`) reaches the caller. The record also lands in the result's `continued`.
   */
  'stream.continued': {
    provider: ProviderName;
    record: ContinuationRecord;
    /** Characters the caller had received (since the last restart) when the stream broke. */
    chars: number;
    how: ContinuationMethod;
    /** The key that broke, by id. */
    fromKeyId?: string;
    /** The key that serves the continuation, by id. */
    toKeyId?: string;
  };
  /** The answer starts again: the caller got a `restart` event and clears what it showed. */
  'stream.restarted': { provider: ProviderName; reason: ContinuationReason; discardedChars: number };
  /** The model refused our assistant prefill with a 400; the answer restarts and the model restarts from now on. */
  'stream.prefill_rejected': { provider: ProviderName; message: string };
  /**
   * A stream event whose data was not valid JSON (e.g. a proxy mangled it). `skipped`: it could not carry text and was
   * dropped, the stream went on; else the stream breaks there and is continued. Its data is never kept.
   */
  'stream.malformed_event': KeyRef & {
    provider: ProviderName;
    /** The SSE `event:` name, when it had one. */
    event?: string;
    length: number;
    skipped: boolean;
  };
}

/** Every event a pool emits, by name: its fields and the stamp (`at`, `model`). */
export type PoolEvents = { [K in keyof PoolEventFields]: PoolEventFields[K] & EventStamp };

/** The name of a pool event. */
export type PoolEventName = keyof PoolEvents;

/** Any pool event, with its name as `type`. */
export type PoolEvent = { [K in PoolEventName]: { type: K } & PoolEvents[K] }[PoolEventName];

/** A listener for one event. */
export type Listener<T> = (event: T) => void;

/**
 * A small typed event emitter. Listeners run synchronously; one that throws is isolated (its error is dropped) so a
 * faulty logger can never break a call. `on` returns a function that removes the listener.
 */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();
  private readonly anyListeners = new Set<Listener<{ type: keyof Events } & Events[keyof Events]>>();

  /** Listens to one event. Returns the unsubscribe function. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** Listens to every event; each arrives with its name as `type`. Returns the unsubscribe function. */
  onAny(listener: Listener<{ [K in keyof Events]: { type: K } & Events[K] }[keyof Events]>): () => void {
    const wrapped = listener as Listener<{ type: keyof Events } & Events[keyof Events]>;
    this.anyListeners.add(wrapped);
    return () => this.anyListeners.delete(wrapped);
  }

  /** True when anyone listens to `name` (lets the engine skip building an event nobody reads). */
  hasListeners(name: keyof Events): boolean {
    return this.anyListeners.size > 0 || (this.listeners.get(name)?.size ?? 0) > 0;
  }

  /** Emits one event. */
  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners.get(name);
    if (set)
      for (const listener of set) {
        try {
          (listener as Listener<Events[K]>)(event);
        } catch {
          // A listener's failure must not break the call that emitted.
        }
      }
    if (this.anyListeners.size > 0) {
      const withType = { type: name, ...event } as { type: keyof Events } & Events[keyof Events];
      for (const listener of this.anyListeners) {
        try {
          listener(withType);
        } catch {
          // Same as above.
        }
      }
    }
  }
}
