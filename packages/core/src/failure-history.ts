import type { ErrorCategory } from './categories';
import { ConfigError } from './errors';
import type { PoolEvent } from './events';
import { eventTime, observe } from './observed-event';
import { RingBuffer } from './ring-buffer';

/** One failed attempt as a key's history keeps it. Holds the scrubbed message, never a secret. */
export interface FailureRecord {
  /** When it failed (epoch ms). */
  at: number;
  category: ErrorCategory;
  /** The HTTP status, when there was one. */
  status?: number;
  /** The provider's error code, when the event carried one. */
  code?: string;
  /** The scrubbed message, cut to `maxMessageLength`. */
  message: string;
  model?: string;
  /** The model scope the call's rate limits were kept under (the model, or its class). */
  scope?: string;
  /** The attempt's number in its call. */
  attempt?: number;
}

/** What a failure history listens to: any pool (`KeyPool`, or a provider package's pool). */
export interface HistorySource {
  onAny(listener: (event: PoolEvent) => void): () => void;
}

/** Options of `createFailureHistory`. */
export interface FailureHistoryOptions {
  /** Failures kept per key (the oldest go first). Default 20. */
  size?: number;
  /** Longest message kept, in characters. Default 300. */
  maxMessageLength?: number;
  /** Most keys tracked (a key removed from the pool is forgotten; this bounds the rest). Default 10,000. */
  maxKeys?: number;
  /** The clock for events without their own time. Default `Date.now`. */
  now?: () => number;
}

/** The last failures of each key of one pool, bounded per key. */
export interface FailureHistory {
  /** One key's failures, oldest first (empty when it has none). */
  of(keyId: string): FailureRecord[];
  /** Every key's failures, by key id. */
  toJSON(): Record<string, FailureRecord[]>;
  /** Forgets everything. */
  clear(): void;
  /** Stops listening to the pool. */
  close(): void;
}

const DEFAULT_SIZE = 20;

function positiveInteger(value: number | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError('failure history options', [
      { path, message: `expected an integer of at least 1, got ${String(value)}` },
    ]);
  return value;
}

/**
 * Keeps a bounded ring of the last failures of every key of `pool`, from its `request.failure` events: time,
 * category, status, provider code and the message (already scrubbed of secrets by the engine). A removed key's
 * history is dropped. Use `of(keyId)` next to `pool.snapshot()` to show why a key is cooling or disabled.
 */
export function createFailureHistory(
  pool: HistorySource,
  options: FailureHistoryOptions = {},
): FailureHistory {
  const size = positiveInteger(options.size, DEFAULT_SIZE, 'size');
  const maxMessageLength = positiveInteger(options.maxMessageLength, 300, 'maxMessageLength');
  const maxKeys = positiveInteger(options.maxKeys, 10_000, 'maxKeys');
  const now = options.now ?? Date.now;
  const byKey = new Map<string, RingBuffer<FailureRecord>>();

  const unsubscribe = pool.onAny((raw) => {
    const event = observe(raw);
    if (event.type === 'key.removed' && event.keyId !== undefined) {
      byKey.delete(event.keyId);
      return;
    }
    if (event.type !== 'request.failure' || event.keyId === undefined) return;
    let ring = byKey.get(event.keyId);
    if (!ring) {
      if (byKey.size >= maxKeys) {
        const oldest = byKey.keys().next().value;
        if (oldest !== undefined) byKey.delete(oldest);
      }
      ring = new RingBuffer<FailureRecord>(size);
      byKey.set(event.keyId, ring);
    }
    const message = event.message ?? '';
    const record: FailureRecord = {
      at: eventTime(event, now),
      category: (event.category ?? 'server') as ErrorCategory,
      message: message.length > maxMessageLength ? `${message.slice(0, maxMessageLength - 1)}…` : message,
    };
    if (event.status !== undefined) record.status = event.status;
    if (event.code !== undefined) record.code = event.code;
    if (event.model !== undefined) record.model = event.model;
    if (event.attempt !== undefined) record.attempt = event.attempt;
    ring.push(record);
  });

  return {
    of: (keyId) => byKey.get(keyId)?.toArray() ?? [],
    toJSON: () => Object.fromEntries([...byKey].map(([keyId, ring]) => [keyId, ring.toArray()])),
    clear: () => byKey.clear(),
    close: unsubscribe,
  };
}
