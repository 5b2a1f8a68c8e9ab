import { readFileSync } from 'node:fs';
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

it('runs the README wording example as written', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Rate limits without a 429'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const results: unknown[] = [];
  const lines = block.split('\n').filter((line) => line.startsWith('matchRateLimitWording('));
  const table = extendRateLimitWording(DEFAULT_RATE_LIMIT_WORDING, {
    rules: [{ category: 'rate_limit', wording: /slow down/i }],
  });
  expect(block).toContain("rules: [{ category: 'rate_limit', wording: /slow down/i }],");
  for (const line of lines) {
    const [call, comment] = line.split(' // ');
    const args = /^matchRateLimitWording\((\{.*\})(, table)?\);$/.exec(call ?? '');
    expect(args).not.toBeNull();
    const facts = JSON.parse(args![1]!.replace(/(\w+):/g, '"$1":').replace(/'/g, '"'));
    const got = matchRateLimitWording(facts, args![2] ? table : DEFAULT_RATE_LIMIT_WORDING);
    results.push(got);
    expect(String(got)).toBe((comment ?? '').split(':')[0]!.replace(/'/g, ''));
  }
  expect(results).toEqual(['rate_limit', 'rate_limit', undefined]);
});
