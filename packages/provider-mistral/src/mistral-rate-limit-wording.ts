import { DEFAULT_RATE_LIMIT_WORDING, type RateLimitWordingTable } from '@keypool/core';

/**
 * The Mistral mapper's table for rate limits without a 429 (a 400, 403 or 503 whose body says "rate limit", "too many
 * requests", "quota" or "RESOURCE_EXHAUSTED"). Pass another table, for example one built with
 * `extendRateLimitWording`, to `classifyMistralError` to change it.
 */
export const MISTRAL_RATE_LIMIT_WORDING: RateLimitWordingTable = DEFAULT_RATE_LIMIT_WORDING;
