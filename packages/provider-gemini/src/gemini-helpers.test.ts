import { describe, expect, it } from 'vitest';
import { estimateGeminiTokens } from './estimate-gemini-tokens.ts';
import { parseGeminiErrorBody } from './gemini-error-body.ts';
import { geminiQuotaScope } from './gemini-quota-failure.ts';
import { nextGeminiDailyReset } from './gemini-quota-reset.ts';
import { parseGeminiRateLimitHeaders } from './gemini-rate-limit-headers.ts';
import { geminiRetryDelayMs } from './gemini-retry-info.ts';
import { withGeminiSignal } from './gemini-routes.ts';
import { mapGeminiFinishReason } from './map-gemini-finish-reason.ts';
import { scrubGeminiSecrets } from './scrub-gemini-secrets.ts';

describe('parseGeminiErrorBody', () => {
  it('reads a plain body, a stream error event, and rejects anything else', () => {
    expect(parseGeminiErrorBody('{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}')).toEqual({
      code: 503,
      message: 'busy',
      status: 'UNAVAILABLE',
    });
    expect(parseGeminiErrorBody('got status: UNAVAILABLE. {"error":{"code":503}}')).toEqual({ code: 503 });
    expect(parseGeminiErrorBody('fetch failed')).toBeUndefined();
    expect(parseGeminiErrorBody('{"error":"flat"}')).toBeUndefined();
    expect(parseGeminiErrorBody('{not json')).toBeUndefined();
  });
});

describe('geminiRetryDelayMs and geminiQuotaScope', () => {
  const body = (details: unknown[], message = 'quota') => ({ code: 429, message, details: details as never });
  it('reads RetryInfo durations, then the message', () => {
    expect(
      geminiRetryDelayMs(body([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '47s' }])),
    ).toBe(47_000);
    expect(
      geminiRetryDelayMs(body([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.5s' }])),
    ).toBe(500);
    expect(geminiRetryDelayMs(body([], 'x\nPlease retry in 3.2s.'))).toBe(3_200);
    expect(geminiRetryDelayMs(body([], 'Please retry in 800ms.'))).toBe(800);
    expect(geminiRetryDelayMs(body([]))).toBeUndefined();
    expect(geminiRetryDelayMs(undefined)).toBeUndefined();
  });
  it('tells per-day from per-minute quotas by quotaId', () => {
    const failure = (...ids: string[]) =>
      body([
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: ids.map((quotaId) => ({ quotaId })),
        },
      ]);
    expect(geminiQuotaScope(failure('GenerateRequestsPerMinutePerProjectPerModel-FreeTier'))).toBe('minute');
    expect(
      geminiQuotaScope(
        failure('GenerateRequestsPerMinutePerProjectPerModel', 'GenerateRequestsPerDayPerProjectPerModel'),
      ),
    ).toBe('day');
    expect(geminiQuotaScope(failure('SomethingElse'))).toBe('unknown');
    expect(geminiQuotaScope(body([]))).toBe('unknown');
  });
});

describe('nextGeminiDailyReset', () => {
  it('is the next midnight in Pacific time, in winter and in summer', () => {
    expect(nextGeminiDailyReset(Date.UTC(2026, 10, 21, 20, 0, 0))).toBe(Date.UTC(2026, 10, 22, 8, 0, 0));
    expect(nextGeminiDailyReset(Date.UTC(2026, 6, 1, 6, 59, 59, 500))).toBe(Date.UTC(2026, 6, 1, 7, 0, 0));
    expect(nextGeminiDailyReset(Date.UTC(2026, 6, 1, 7, 0, 0))).toBe(Date.UTC(2026, 6, 2, 7, 0, 0));
  });
});

describe('parseGeminiRateLimitHeaders', () => {
  it('is undefined for the Gemini API (no rate-limit headers) and reads a gateway family', () => {
    expect(parseGeminiRateLimitHeaders(new Headers({ 'content-type': 'application/json' }))).toBeUndefined();
    const now = 1_000_000;
    expect(
      parseGeminiRateLimitHeaders(
        {
          'x-ratelimit-limit-requests': '100',
          'x-ratelimit-remaining-requests': '7',
          'x-ratelimit-reset-requests': '6m0s',
        },
        now,
      ),
    ).toEqual({ requests: { limit: 100, remaining: 7, resetAt: now + 360_000 } });
    expect(parseGeminiRateLimitHeaders(new Headers({ 'x-ratelimit-remaining-tokens': '5' }), now)).toEqual({
      tokens: { remaining: 5 },
    });
  });
});

describe('scrubGeminiSecrets', () => {
  it('masks Google keys, sk- keys, ?key= and x-goog-api-key values, and given secrets', () => {
    const key = 'AIzaSyD-abcdefghijklmnopqrstuvwxyz012345';
    const text = `GET https://x/v1/models?key=${key}&alt=sse header x-goog-api-key: ${key} bare ${key} sk-proj-abcdefghijklmnop custom-secret-123`;
    const clean = scrubGeminiSecrets(text, ['custom-secret-123']);
    expect(clean).not.toContain(key);
    expect(clean).not.toContain('sk-proj-abcdefghijklmnop');
    expect(clean).not.toContain('custom-secret-123');
    expect(clean).toContain('?key=***&alt=sse');
    expect(clean).toContain('AIza...2345');
    expect(scrubGeminiSecrets('nothing to see')).toBe('nothing to see');
  });
});

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['SPII', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['IMAGE_SAFETY', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'other'],
    ['OTHER', 'other'],
    [undefined, 'other'],
  ])('%s -> %s', (reason, unified) => {
    expect(mapGeminiFinishReason(reason)).toBe(unified);
  });
});

describe('estimateGeminiTokens', () => {
  it('counts contents and system text plus the output budget, not binary parts', () => {
    expect(estimateGeminiTokens({ contents: 'x'.repeat(400) })).toBe(100 + 256);
    expect(estimateGeminiTokens({ contents: 'x'.repeat(400), config: { maxOutputTokens: 10 } })).toBe(110);
    expect(estimateGeminiTokens({ contents: 'x'.repeat(400) }, false)).toBe(100);
    const withImage = {
      contents: [{ role: 'user', parts: [{ text: 'abcd' }, { inlineData: { data: 'A'.repeat(100_000) } }] }],
      config: { systemInstruction: 'efgh', maxOutputTokens: 0 },
    };
    expect(estimateGeminiTokens(withImage)).toBeLessThan(10);
    expect(estimateGeminiTokens(undefined)).toBe(0);
  });
});

describe('withGeminiSignal', () => {
  it("puts the signal in config, keeps the caller's config, drops retryOptions and key headers", () => {
    const signal = new AbortController().signal;
    const own = new AbortController().signal;
    const [params] = withGeminiSignal(
      [
        {
          model: 'm',
          contents: 'x',
          config: {
            temperature: 0.1,
            abortSignal: own,
            httpOptions: {
              timeout: 5,
              retryOptions: { attempts: 3 },
              headers: { 'X-Goog-Api-Key': 'other', a: 'b' },
            },
          },
        },
      ],
      signal,
    ) as [{ config: Record<string, unknown> }];
    expect(params.config).toEqual({
      temperature: 0.1,
      abortSignal: signal,
      httpOptions: { timeout: 5, headers: { a: 'b' } },
    });
    const [bare] = withGeminiSignal([{ model: 'm', contents: 'x' }], signal) as [
      { config: Record<string, unknown> },
    ];
    expect(bare.config).toEqual({ abortSignal: signal });
  });
});
