import type { ErrorCategory } from './categories';
import type { RateLimitInfo } from './rate-limit-info';

/**
 * What an adapter says about an error: its category and the hints the provider gave. Adapters only classify; the
 * core decides what happens (see the policy table).
 */
export interface ClassifiedError {
  category: ErrorCategory;
  /** A human-readable message with every secret already removed. */
  message: string;
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** The provider's own error code or type (`insufficient_quota`, `overloaded_error`, `RESOURCE_EXHAUSTED`...). */
  code?: string;
  /** The provider's minimum wait before this key may be used again, in milliseconds. */
  retryAfterMs?: number;
  /** When a spent quota resets (epoch milliseconds), if the provider said. */
  resetAt?: number;
  /** Which quota was hit, where the provider tells them apart. */
  quotaScope?: 'minute' | 'day' | 'month' | 'unknown';
  /** The provider's request id, for support tickets. */
  requestId?: string;
  /** A model-not-found error: the fallback chain moves on even though the category is invalid_request. */
  modelNotFound?: boolean;
  /** Rate-limit information read from the error response's headers. */
  rateLimit?: RateLimitInfo;
  /** For content_filter: the provider's reason, surfaced to the caller. */
  filterReason?: string;
}
