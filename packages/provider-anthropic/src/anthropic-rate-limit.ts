import type { HeaderSource, RateLimitBudget, RateLimitInfo } from '@keypool/core';

const PREFIX = 'anthropic-ratelimit-';
const SPLIT_TOKEN_BUDGETS = ['input-tokens', 'output-tokens'] as const;

/**
 * Reads Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * headers (resets are RFC 3339 times). The engine tracks one token budget: it takes `tokens` when present, else the
 * tighter of `input-tokens` and `output-tokens` (the smaller share left). Undefined when there is none.
 */
export function parseAnthropicRateLimitHeaders(source: HeaderSource): RateLimitInfo | undefined {
  const headers = rateLimitHeadersOf(source);
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

/**
 * The `anthropic-ratelimit-*` headers as a plain record, read in one pass: a `Headers.get` costs about 2 µs in Node,
 * and this runs on every response, so twelve lookups on a `Headers` object would be most of the pool's overhead.
 * Undefined when there is none.
 */
function rateLimitHeadersOf(source: HeaderSource): Record<string, string> | undefined {
  if (!source) return undefined;
  let found: Record<string, string> | undefined;
  const keep = (name: string, value: string | string[] | null | undefined) => {
    const lower = name.toLowerCase();
    if (!lower.startsWith(PREFIX) || value === null || value === undefined) return;
    found ??= {};
    found[lower] = Array.isArray(value) ? (value[0] ?? '') : value;
  };
  if (typeof (source as Headers).forEach === 'function' && typeof (source as Headers).get === 'function')
    (source as Headers).forEach((value, name) => {
      keep(name, value);
    });
  else for (const [name, value] of Object.entries(source)) keep(name, value);
  return found;
}

function readBudget(headers: Record<string, string>, name: string): RateLimitBudget | undefined {
  const limit = toNumber(headers[`${PREFIX}${name}-limit`]);
  const remaining = toNumber(headers[`${PREFIX}${name}-remaining`]);
  const resetText = headers[`${PREFIX}${name}-reset`];
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
