import type { ErrorCategory } from './categories';
import type { KeyLimits } from './config';
import type { FailureRecord } from './failure-history';
import type { RateLimitInfo } from './rate-limit-info';

/**
 * A key's state as a person or a dashboard sees it. Holds the id, the masked secret and a fingerprint; never the
 * secret.
 */
export interface KeySnapshot {
  id: string;
  masked: string;
  fingerprint: string;
  /**
   * `active`; `cooling` (until `cooldownUntil`); `half_open` (back from a cooldown, waiting for one probe to
   * succeed); `limited` (its request or token window is full until `blockedUntil`); `disabled` (until re-enabled).
   */
  status: 'active' | 'cooling' | 'half_open' | 'limited' | 'disabled';
  reason?: string;
  category?: ErrorCategory;
  cooldownUntil?: number;
  cooldownRemainingMs?: number;
  blockedUntil?: number;
  inFlight: number;
  weight: number;
  limits: KeyLimits;
  tags: readonly string[];
  quotaGroup?: string;
  /** The models (names or `*` patterns) the key may serve; absent when it serves every model. */
  models?: readonly string[];
  /** Its tier in the `priority` strategy (lower first), when it has one. */
  priority?: number;
  /** True for the pool's primary key (`setPrimaryKey`): the `priority` strategy tries it first. */
  primary?: boolean;
  /** Window usage at the last reservation. */
  usage: { requests: number; tokens: number; day: number };
  counts: { requests: number; successes: number; failures: Partial<Record<ErrorCategory, number>> };
  consecutiveFailures: number;
  latencyEwmaMs?: number;
  learned?: RateLimitInfo;
  /** When an attempt on it last ended (epoch ms), in any model scope and whatever its outcome. */
  lastUsedAt?: number;
  /** When an attempt on it last succeeded (epoch ms). */
  lastSuccessAt?: number;
  /** When an attempt on it last failed (epoch ms). */
  lastFailureAt?: number;
  /**
   * Its last failures, oldest first (time, category, status, provider code, model and scope, and the message with
   * secrets and quoted user text removed), bounded by the pool's `historySize`. With a store that shares history
   * (`@keypool/redis`), other processes' failures too (as of the last `refresh()`). Absent when `historySize` is 0.
   */
  history?: FailureRecord[];
  /**
   * Its state per model scope it served: providers limit per key and model, so a key may be cooling for one model and
   * free for another. The key's `status` above is the best of these (and `disabled` or `cooling` for a key-level
   * cause: a revoked key, a spent quota).
   */
  scopes?: ScopeSnapshot[];
}

/** A key's state for one model scope. */
export interface ScopeSnapshot {
  scope: string;
  status: KeySnapshot['status'];
  reason?: string;
  category?: ErrorCategory;
  cooldownUntil?: number;
  cooldownRemainingMs?: number;
  /** Its window (configured, learned from headers, or learned from 429s) is full until then. */
  blockedUntil?: number;
  /** Not used before then: it kept failing with server errors (a short health penalty). */
  penaltyUntil?: number;
  /** The request rate per window learned from 429s alone, when no limit is configured or sent. */
  adaptiveLimit?: number;
  inFlight: number;
  usage: { requests: number; tokens: number; day: number };
  counts: { requests: number; successes: number; failures: Partial<Record<ErrorCategory, number>> };
  consecutiveFailures: number;
  latencyEwmaMs?: number;
  learned?: RateLimitInfo;
  lastUsedAt?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
}
