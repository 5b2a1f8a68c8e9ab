import { describe, expect, it } from 'vitest';
import {
  firstHeader,
  parseDuration,
  parseResetTime,
  parseRetryAfter,
  readRateLimitBudget,
} from './retry-hints';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('retry hints', () => {
  it.each([
    ['1s', 1_000],
    ['6m0s', 360_000],
    ['12ms', 12],
    ['1h2m3.5s', 3_723_500],
    ['47s', 47_000],
    ['0.5s', 500],
    ['20', 20_000],
    ['soon', undefined],
    ['', undefined],
  ])('parses the duration %s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it('prefers retry-after-ms, then retry-after seconds, then an HTTP date', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), NOW)).toBe(1_500);
    expect(parseRetryAfter({ 'Retry-After': '9' }, NOW)).toBe(9_000);
    expect(parseRetryAfter({ 'retry-after': 'Sat, 21 Nov 2026 12:00:30 GMT' }, NOW)).toBe(30_000);
    expect(parseRetryAfter({}, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'later' }, NOW)).toBeUndefined();
  });

  it('reads reset headers as RFC 3339 times or durations from now', () => {
    expect(parseResetTime('2026-11-21T12:00:05Z', NOW)).toBe(NOW + 5_000);
    expect(parseResetTime('6m0s', NOW)).toBe(NOW + 360_000);
    expect(parseResetTime(undefined, NOW)).toBeUndefined();
  });

  it('finds headers case-insensitively in Headers, records and arrays', () => {
    expect(firstHeader(new Headers({ 'X-Request-Id': 'abc' }), 'x-request-id')).toBe('abc');
    expect(firstHeader({ 'X-Request-Id': ['a', 'b'] }, 'x-request-id')).toBe('a');
    expect(firstHeader(undefined, 'x')).toBeUndefined();
  });
});

describe('readRateLimitBudget', () => {
  it('reads a budget by the provider’s header names', () => {
    const headers = { 'x-limit': '100', 'x-remaining': '7', 'x-reset': '6m0s' };
    expect(
      readRateLimitBudget(headers, { limit: 'x-limit', remaining: 'x-remaining', reset: 'x-reset' }, NOW),
    ).toEqual({
      limit: 100,
      remaining: 7,
      resetAt: NOW + 360_000,
    });
    expect(readRateLimitBudget(headers, { remaining: 'x-missing' }, NOW)).toBeUndefined();
    expect(readRateLimitBudget({ 'x-remaining': '-3' }, { remaining: 'x-remaining' }, NOW)).toBeUndefined();
  });
});
