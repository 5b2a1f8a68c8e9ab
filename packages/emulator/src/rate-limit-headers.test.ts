import { describe, expect, it } from 'vitest';
import {
  anthropicRateLimitHeaders,
  formatGoDuration,
  mistralRateLimitHeaders,
  openaiRateLimitHeaders,
  retryAfterHeaders,
} from './rate-limit-headers.ts';

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [12, '12ms'],
    [0.2, '1ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1400, '1.4s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [90_500, '1m30.5s'],
    [3_723_000, '1h2m3s'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

describe('rate-limit headers', () => {
  const snapshot = {
    requests: { limit: 10, remaining: 7, resetMs: 1500 },
    tokens: { limit: 1000, remaining: 880, resetMs: 1500 },
    queryCost: 40,
  };

  it('openai', () => {
    expect(openaiRateLimitHeaders(snapshot)).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '7',
      'x-ratelimit-reset-requests': '1.5s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '880',
      'x-ratelimit-reset-tokens': '1.5s',
    });
  });

  it('anthropic resets are RFC 3339 instants', () => {
    const headers = anthropicRateLimitHeaders(snapshot, Date.UTC(2026, 0, 1, 0, 0, 0));
    expect(headers['anthropic-ratelimit-requests-reset']).toBe('2026-01-01T00:00:01.500Z');
    expect(headers['anthropic-ratelimit-tokens-remaining']).toBe('880');
  });

  it('mistral', () => {
    expect(mistralRateLimitHeaders(snapshot)).toEqual({
      'x-ratelimit-limit-req-minute': '10',
      'x-ratelimit-remaining-req-minute': '7',
      'x-ratelimit-limit-tokens-minute': '1000',
      'x-ratelimit-remaining-tokens-minute': '880',
      'x-ratelimit-tokens-query-cost': '40',
    });
  });

  it('omits dimensions without a limit', () => {
    expect(openaiRateLimitHeaders({ queryCost: 3 })).toEqual({});
  });

  it('retry-after rounds up to whole seconds', () => {
    expect(retryAfterHeaders(1, true)).toEqual({ 'retry-after': '1', 'retry-after-ms': '1' });
    expect(retryAfterHeaders(1001, false)).toEqual({ 'retry-after': '2' });
  });
});
