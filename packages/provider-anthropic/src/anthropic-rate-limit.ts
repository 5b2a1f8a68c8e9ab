import { firstHeader, type HeaderSource, type RateLimitBudget, type RateLimitInfo } from '@keypool/core';

const SPLIT_TOKEN_BUDGETS = ['input-tokens', 'output-tokens'] as const;

/**
 * Reads Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * headers (resets are RFC 3339 times). The engine tracks one token budget: it takes `tokens` when present, else the
 * tighter of `input-tokens` and `output-tokens` (the smaller share left). Undefined when there is none.
 */
export function parseAnthropicRateLimitHeaders(headers: HeaderSource): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const requests = readBudget(headers, 'requests');
  let tokens = readBudget(headers, 'tokens');
  if (!tokens) {
    for (const name of SPLIT_TOKEN_BUDGETS) {
      const budget = readBudget(headers, name);
      if (budget && (!tokens || shareLeft(budget) < shareLeft(tokens))) tokens = budget;
    }
  }
  if (!requests && !tokens) return undefined;
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

function readBudget(headers: HeaderSource, name: string): RateLimitBudget | undefined {
  const limit = toNumber(firstHeader(headers, `anthropic-ratelimit-${name}-limit`));
  const remaining = toNumber(firstHeader(headers, `anthropic-ratelimit-${name}-remaining`));
  const resetText = firstHeader(headers, `anthropic-ratelimit-${name}-reset`);
  const resetAt = resetText === undefined ? undefined : Date.parse(resetText);
  if (limit === undefined && remaining === undefined && (resetAt === undefined || Number.isNaN(resetAt)))
    return undefined;
  const budget: RateLimitBudget = {};
  if (limit !== undefined) budget.limit = limit;
  if (remaining !== undefined) budget.remaining = remaining;
  if (resetAt !== undefined && !Number.isNaN(resetAt)) budget.resetAt = resetAt;
  return budget;
}

/** The share of a budget that is left (0..1), or its plain remaining count when the limit is unknown. */
function shareLeft(budget: RateLimitBudget): number {
  if (budget.remaining === undefined) return Number.POSITIVE_INFINITY;
  return budget.limit ? budget.remaining / budget.limit : budget.remaining;
}

function toNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
