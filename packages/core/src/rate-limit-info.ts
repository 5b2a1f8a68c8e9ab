/** One budget a provider reported in its rate-limit headers. */
export interface RateLimitBudget {
  /** The budget's size per window, if the provider said. */
  limit?: number;
  /** What is left in the current window. */
  remaining?: number;
  /** When the window resets (epoch milliseconds). */
  resetAt?: number;
}

/**
 * Rate-limit information an adapter read from a response's headers (success or error). The engine learns each
 * key's real remaining capacity from it and stops sending before the provider says 429.
 */
export interface RateLimitInfo {
  requests?: RateLimitBudget;
  tokens?: RateLimitBudget;
}
