import { type Emulator, startEmulator } from '@keypool/emulator';
import { HTTPClient, Mistral } from '@mistralai/mistralai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_SECRET, MISTRAL_ERROR_CASES } from './__fixtures__/mistral-error-cases';
import { sdkErrorFrom } from './__fixtures__/mistral-error-fixtures';
import { rejection } from './__fixtures__/rejection';
import { classifyMistralError } from './mistral-error';

describe('classifyMistralError', () => {
  it.each(MISTRAL_ERROR_CASES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const raw = typeof row.error === 'function' ? (row.error as () => unknown)() : row.error;
    const classified = classifyMistralError(raw);
    expect(classified).toMatchObject(row.expected);
    expect(classified.message.length).toBeGreaterThan(0);
    expect(classified.message).not.toContain(CANARY_SECRET);
  });

  it('builds the SDK errors the SDK builds (class, status, message, headers)', () => {
    const error = sdkErrorFrom('429-rate-limited');
    expect(error.name).toBe('SDKError');
    expect(error.statusCode).toBe(429);
    expect(error.message).toMatch(/^API error occurred: Status 429/);
    expect(error.headers.get('retry-after')).toBe('1');
    expect(sdkErrorFrom('422-validation').name).toBe('HTTPValidationError');
  });

  it('gives a short message with the provider text, not the SDK dump', () => {
    const classified = classifyMistralError(sdkErrorFrom('429-rate-limited'));
    expect(classified.message).toBe('429 Rate limit exceeded');
    const html = classifyMistralError(sdkErrorFrom('502-html'));
    expect(html.message).toContain('502 Bad Gateway');
    expect(html.message).not.toContain('\n');
  });

  it('masks key-like strings in any message', () => {
    for (const raw of [
      new Error(`failed for sk-abcdefghijklmnop1234 and ${CANARY_SECRET}`),
      new TypeError(`fetch failed: https://x.test/v1?key=AIzaSyA1234567890abcdefghijklmno`),
    ]) {
      const { message } = classifyMistralError(raw);
      expect(message).not.toContain('sk-abcdefghijklmnop1234');
      expect(message).not.toContain(CANARY_SECRET);
      expect(message).not.toContain('AIzaSyA1234567890abcdefghijklmno');
    }
  });

  it('never throws, whatever it is given', () => {
    for (const odd of [undefined, null, 0, 'text', Symbol('s'), { statusCode: 'x', body: 5 }, []]) {
      expect(() => classifyMistralError(odd)).not.toThrow();
      expect(classifyMistralError(odd).category).toBe('server');
    }
  });
});

describe('classifyMistralError on errors captured for real (the SDK against @keypool/emulator)', () => {
  let emu: Emulator;
  const GOOD = 'Captured7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc';
  const LIMITED = 'CapLimit7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc';
  const TOKENS = 'CapToken7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc';
  const MONTH = 'CapMonth7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc';
  const messages = [{ role: 'user' as const, content: 'hello there world' }];

  beforeAll(async () => {
    emu = await startEmulator({
      windowMs: 1000,
      keys: { [GOOD]: {}, [LIMITED]: { rpm: 1 }, [TOKENS]: { tpm: 15 }, [MONTH]: { quotaExhausted: true } },
      models: {
        overloaded: { overloaded: true },
        broken: { serverError: true },
        tiny: { contextWindow: 2 },
        filtered: { contentFilter: true },
        missing: { notFound: true },
        reset: { resetBeforeHeaders: true },
        silent: { noResponse: true },
        cut: { streamCutAfterChunks: 2 },
        malformed: { malformedChunk: true },
        errorEvent: { midStreamError: true },
      },
    });
  });
  afterAll(() => emu.close());

  const client = (apiKey = GOOD, timeoutMs?: number) =>
    new Mistral({ apiKey, serverURL: emu.baseURLs.mistral, ...(timeoutMs ? { timeoutMs } : {}) });
  const streamFailure = (model: string) =>
    rejection(
      (async () => {
        for await (const _event of await client().chat.stream({ model, messages })) {
          // drain
        }
      })(),
    );

  it.each([
    [
      '401 unknown key',
      () => rejection(client('Unknown07Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc').chat.complete({ model: 'm', messages })),
      { category: 'auth', status: 401 },
    ],
    [
      '429 rpm',
      async () => {
        await client(LIMITED).chat.complete({ model: 'm', messages });
        return rejection(client(LIMITED).chat.complete({ model: 'm', messages }));
      },
      {
        category: 'rate_limit',
        status: 429,
        retryAfterMs: 1000,
        rateLimit: { requests: { limit: 1, remaining: 0 } },
      },
    ],
    [
      '429 tpm',
      async () => {
        await client(TOKENS).chat.complete({ model: 'm', messages });
        return rejection(client(TOKENS).chat.complete({ model: 'm', messages }));
      },
      { category: 'rate_limit', quotaScope: 'minute', rateLimit: { tokens: { limit: 15 } } },
    ],
    [
      '429 monthly',
      () => rejection(client(MONTH).chat.complete({ model: 'm', messages })),
      { category: 'quota_exhausted', quotaScope: 'month' },
    ],
    [
      '503 overloaded',
      () => rejection(client().chat.complete({ model: 'overloaded', messages })),
      { category: 'overloaded', status: 503 },
    ],
    [
      '500',
      () => rejection(client().chat.complete({ model: 'broken', messages })),
      { category: 'server', status: 500 },
    ],
    [
      '400 context',
      () => rejection(client().chat.complete({ model: 'tiny', messages })),
      { category: 'context_length' },
    ],
    [
      '400 moderation',
      () => rejection(client().chat.complete({ model: 'filtered', messages })),
      { category: 'content_filter' },
    ],
    [
      '400 invalid model',
      () => rejection(client().chat.complete({ model: 'missing', messages })),
      { category: 'invalid_request', modelNotFound: true },
    ],
    [
      'connection reset',
      () => rejection(client().chat.complete({ model: 'reset', messages })),
      { category: 'network' },
    ],
    [
      'SDK timeout',
      // What the SDK throws when its timer fires: its own timer can be lost to garbage collection (see
      // mistral-gc-signals.test.ts), so the fetch here times out at once instead.
      () =>
        rejection(
          new Mistral({
            apiKey: GOOD,
            serverURL: emu.baseURLs.mistral,
            timeoutMs: 100,
            httpClient: new HTTPClient({
              fetcher: () => Promise.reject(new DOMException('The operation timed out.', 'TimeoutError')),
            }),
          }).chat.complete({ model: 'silent', messages }),
        ),
      { category: 'timeout' },
    ],
    [
      'caller abort',
      () => rejection(client().chat.complete({ model: 'silent', messages }, { signal: AbortSignal.abort() })),
      { category: 'aborted' },
    ],
    [
      'input the SDK refuses',
      () =>
        rejection(
          client().chat.complete({ model: 'm', messages: [{ role: 'robot' as 'user', content: 'x' }] }),
        ),
      { category: 'invalid_request' },
    ],
    ['stream cut mid-body', () => streamFailure('cut'), { category: 'network' }],
    ['malformed chunk', () => streamFailure('malformed'), { category: 'server' }],
    ['error event mid-stream', () => streamFailure('errorEvent'), { category: 'server' }],
  ] as const)('%s', async (_name, capture, expected) => {
    const raw = await capture();
    expect(classifyMistralError(raw)).toMatchObject(expected);
  });
});
