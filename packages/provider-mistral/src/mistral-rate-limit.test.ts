import { describe, expect, it } from 'vitest';
import { isMistralMonthSpent, parseMistralRateLimitHeaders } from './mistral-rate-limit';

describe('parseMistralRateLimitHeaders', () => {
  it('reads the per-minute request and token budgets', () => {
    const headers = new Headers({
      'x-ratelimit-limit-req-minute': '720',
      'x-ratelimit-remaining-req-minute': '717',
      'x-ratelimit-limit-tokens-minute': '5000000',
      'x-ratelimit-remaining-tokens-minute': '4999911',
      'x-ratelimit-tokens-query-cost': '52',
    });
    expect(parseMistralRateLimitHeaders(headers)).toEqual({
      requests: { limit: 720, remaining: 717 },
      tokens: { limit: 5_000_000, remaining: 4_999_911 },
    });
  });

  it('reads plain header records and a Kong reset when present', () => {
    expect(
      parseMistralRateLimitHeaders(
        { 'X-RateLimit-Remaining-Req-Minute': '3', 'ratelimit-reset': '12' },
        1_000,
      ),
    ).toEqual({ requests: { remaining: 3, resetAt: 13_000 } });
  });

  it('is undefined without rate-limit headers or with garbage', () => {
    expect(parseMistralRateLimitHeaders(new Headers({ 'content-type': 'application/json' }))).toBeUndefined();
    expect(parseMistralRateLimitHeaders({ 'x-ratelimit-limit-req-minute': 'lots' })).toBeUndefined();
    expect(parseMistralRateLimitHeaders(undefined)).toBeUndefined();
  });

  it('tells a spent month budget', () => {
    expect(isMistralMonthSpent(new Headers({ 'x-ratelimit-remaining-tokens-month': '0' }))).toBe(true);
    expect(isMistralMonthSpent(new Headers({ 'x-ratelimit-remaining-tokens-month': '10' }))).toBe(false);
    expect(isMistralMonthSpent(undefined)).toBe(false);
  });
});
