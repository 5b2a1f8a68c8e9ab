import { DEFAULT_RATE_LIMIT_WORDING, type RateLimitWordingTable } from '@keypool/core';

/**
 * The OpenAI mapper's table for rate limits without a 429 (OpenAI-compatible hosts and proxies answering 400, 403
 * or 503 with "rate limit", "too many requests", "quota" or "RESOURCE_EXHAUSTED"). Pass another table, for example
 * one built with `extendRateLimitWording`, as `classifyOpenAIError`'s third argument to change it.
 */
export const OPENAI_RATE_LIMIT_WORDING: RateLimitWordingTable = DEFAULT_RATE_LIMIT_WORDING;
