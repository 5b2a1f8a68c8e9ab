import type { ErrorCategory } from './categories';
import type { KeyLimits } from './config';
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
  /** Window usage at the last reservation. */
  usage: { requests: number; tokens: number; day: number };
  counts: { requests: number; successes: number; failures: Partial<Record<ErrorCategory, number>> };
  consecutiveFailures: number;
  latencyEwmaMs?: number;
  learned?: RateLimitInfo;
}
