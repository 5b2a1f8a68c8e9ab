import type { ErrorCategory } from './categories';
import type { KeyLimits } from './config';
import type { FailureRecord } from './failure-history';
import type { RateLimitInfo } from './rate-limit-info';

/** How a store names a key: by fingerprint (a hash of the secret), never by the secret. */
export interface StoreKey {
  fingerprint: string;
  /** Configured limits. */
  limits: KeyLimits;
}

/** Window lengths of a pool: a "minute" (rpm, tpm) and a "day" (rpd). Tests and the emulator shorten them. */
export interface WindowLengths {
  minuteMs: number;
  dayMs: number;
}

/**
 * The shared state of one key, as a store reports it. Plain data (JSON-safe), so a networked store can send it.
 */
export interface KeyStateView {
  /** `disabled` until re-enabled; otherwise `active` (a cooldown is told by `cooldownUntil`). */
  status: 'active' | 'disabled';
  /** The key is not used before this time (epoch ms); 0 when not cooling. */
  cooldownUntil: number;
  /** Why the key is disabled or cooling. Never holds a secret. */
  reason?: string;
  /** The category that disabled or cooled the key. */
  category?: ErrorCategory;
  /** Failures in a row since the last success. */
  consecutiveFailures: number;
  /** The key came back from a cooldown and has not yet succeeded: one probe request at a time. */
  halfOpen: boolean;
  /** A half-open probe is in flight. */
  probeInFlight: boolean;
  /** Attempts in flight on this key (reserved and not yet recorded). */
  inFlight: number;
  /** Capacity (a request or token window, or a learned budget) is spent until this time (epoch ms); 0 when free. */
  blockedUntil: number;
  /** Attempts made (every reservation). */
  requests: number;
  /** Successful attempts. */
  successes: number;
  /** Failed attempts by category. */
  failures: Partial<Record<ErrorCategory, number>>;
  /** Exponentially weighted moving average of successful attempts' latency, ms. */
  latencyEwmaMs?: number;
  /** Window usage at the last reservation. */
  usage: { requests: number; tokens: number; day: number };
  /** Remaining capacity (0..1, the tightest of the key's budgets) at the last reservation; 1 when unlimited. */
  headroom: number;
  /** What the provider's rate-limit headers last said. */
  learned?: RateLimitInfo;
  /** When an attempt on this key last ended (epoch ms), whatever its outcome. */
  lastUsedAt?: number;
  /** When an attempt on this key last succeeded (epoch ms). */
  lastSuccessAt?: number;
  /** When an attempt on this key last failed (epoch ms). */
  lastFailureAt?: number;
}

/** What one attempt asks to reserve on a key. */
export interface ReserveCost {
  requests: number;
  tokens: number;
}

/** The answer to a reservation. */
export type ReserveResult =
  | { ok: true; view: KeyStateView; probe: boolean }
  | { ok: false; view: KeyStateView; retryAt: number; why: 'disabled' | 'cooling' | 'probing' | 'capacity' };

/** What the engine records when an attempt ends. */
export interface AttemptRecord {
  now: number;
  outcome: 'success' | 'failure';
  /** Tokens reserved at selection. */
  reservedTokens: number;
  /** Real tokens used, when known (success): the reservation is reconciled to this. */
  actualTokens?: number;
  latencyMs: number;
  category?: ErrorCategory;
  /** Cool the key (and its group) until this time; a store keeps the later of this and any existing deadline. */
  cooldownUntil?: number;
  /** Disable the key with this reason. */
  disable?: boolean;
  /** Why (kept with the key's status). */
  reason?: string;
  /** This attempt was the key's half-open probe. */
  probe: boolean;
  /** Rate-limit info the provider sent with this response. */
  learned?: RateLimitInfo;
  /** Other keys of the same quota group, cooled with this one. */
  group?: readonly StoreKey[];
}

/** What changed when an attempt was recorded: the engine turns it into events. */
export interface RecordResult {
  view: KeyStateView;
  /** The key was half-open and its probe succeeded. */
  recovered: boolean;
}

/** An administrative change to a key's status. */
export interface StatusChange {
  enabled: boolean;
  reason?: string;
  /** Also clear cooldowns and failure counts. */
  reset?: boolean;
}

/**
 * Where key state lives: in memory by default, in Redis to share one pool across processes. Every call is async and
 * names keys by fingerprint. The hot path is one `reserve` before an attempt and one `record` after it.
 * Implementations must make `reserve` atomic: check status, cooldown, half-open probe and windows, and count the
 * attempt, in one step.
 */
export interface StateStore {
  /** A short name for events and snapshots, e.g. `memory` or `redis`. */
  readonly kind: string;
  /** Makes the store aware of keys (idempotent); called when a pool starts and when a key is added. */
  register(keys: readonly StoreKey[], windows: WindowLengths): Promise<void>;
  /** Atomically checks a key and reserves one attempt's cost on it. */
  reserve(key: StoreKey, cost: ReserveCost, now: number): Promise<ReserveResult>;
  /** Records an attempt's end: reconciles the reservation, applies cooldown or disable, updates stats. */
  record(key: StoreKey, attempt: AttemptRecord): Promise<RecordResult>;
  /** Enables or disables a key (administration). */
  setStatus(key: StoreKey, change: StatusChange, now: number): Promise<KeyStateView>;
  /** Reads several keys' state in one batch. */
  read(keys: readonly StoreKey[], now: number): Promise<KeyStateView[]>;
  /** Forgets a key. */
  remove(key: StoreKey): Promise<void>;
  /** Restores keys' persisted state (from a pool's `toJSON()`), e.g. after a restart. */
  restore(states: ReadonlyMap<string, PersistedKeyState>, now: number): Promise<void>;
  /**
   * Optional: keeps one failure in the key's shared history (the key-level fingerprint, never a scope's), capped at
   * `keep` entries, newest first. A store without it keeps no shared history; the pool still keeps its own.
   */
  appendHistory?(fingerprint: string, failure: FailureRecord, keep: number, now: number): Promise<void>;
  /** Optional: the shared failure history of each key, oldest first; `undefined` for a key it cannot read now. */
  readHistory?(fingerprints: readonly string[]): Promise<(FailureRecord[] | undefined)[]>;
  /** Optional: tells the pool at once when another process changes a key (pub/sub). Returns an unsubscribe. */
  subscribe?(listener: (fingerprint: string, view: KeyStateView) => void): () => void;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** The part of a key's state that survives a restart (`toJSON()` / `restore`). */
export interface PersistedKeyState {
  status: 'active' | 'disabled';
  cooldownUntil: number;
  reason?: string;
  category?: ErrorCategory;
  consecutiveFailures: number;
  requests: number;
  successes: number;
  failures: Partial<Record<ErrorCategory, number>>;
  latencyEwmaMs?: number;
  lastUsedAt?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
}

/** A fresh, healthy key's state. */
export function initialKeyState(): KeyStateView {
  return {
    status: 'active',
    cooldownUntil: 0,
    consecutiveFailures: 0,
    halfOpen: false,
    probeInFlight: false,
    inFlight: 0,
    blockedUntil: 0,
    requests: 0,
    successes: 0,
    failures: {},
    usage: { requests: 0, tokens: 0, day: 0 },
    headroom: 1,
  };
}

/**
 * The state of a key or scope no store has answered for yet: one shared, frozen object (so nobody writes into it and
 * `view === FRESH_KEY_STATE` says "never used"). The engine's idle keys and scopes, and the in-memory store's reads of
 * keys it has no entry for, all point here.
 */
export const FRESH_KEY_STATE: KeyStateView = Object.freeze({
  ...initialKeyState(),
  usage: Object.freeze({ requests: 0, tokens: 0, day: 0 }),
  failures: Object.freeze({}),
}) as KeyStateView;
