import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_LIMIT_WORDING,
  extendRateLimitWording,
  matchRateLimitWording,
} from './rate-limit-wording';

describe('matchRateLimitWording', () => {
  it('applies only to the statuses of the table', () => {
    const facts = { codes: [], text: 'Too many requests' };
    expect(matchRateLimitWording({ ...facts, status: 503 })).toBe('rate_limit');
    expect(matchRateLimitWording({ ...facts, status: 401 })).toBeUndefined();
    expect(matchRateLimitWording({ ...facts, status: undefined })).toBeUndefined();
  });

  it('tries every code before any wording', () => {
    const facts = { status: 400, codes: ['insufficient_quota'], text: 'rate limit reached' };
    expect(matchRateLimitWording(facts)).toBe('quota_exhausted');
    expect(matchRateLimitWording({ ...facts, codes: ['resource_exhausted'], text: 'quota' })).toBe(
      'rate_limit',
    );
  });

  it('tells per-minute quota wording (a rate limit) from a spent quota', () => {
    expect(
      matchRateLimitWording({ status: 403, codes: [], text: 'Quota exceeded: requests per minute' }),
    ).toBe('rate_limit');
    expect(matchRateLimitWording({ status: 403, codes: [], text: 'Monthly quota exceeded' })).toBe(
      'quota_exhausted',
    );
    expect(
      matchRateLimitWording({ status: 400, codes: [], text: 'max_tokens is too large' }),
    ).toBeUndefined();
  });

  it('extends a table with rules tried first and other statuses', () => {
    const table = extendRateLimitWording(DEFAULT_RATE_LIMIT_WORDING, {
      statuses: [418],
      rules: [{ category: 'quota_exhausted', wording: /teapot/ }],
    });
    expect(matchRateLimitWording({ status: 418, codes: [], text: 'teapot rate limit' }, table)).toBe(
      'quota_exhausted',
    );
    expect(matchRateLimitWording({ status: 503, codes: [], text: 'rate limit' }, table)).toBeUndefined();
  });
});
