import { ApiError, GoogleGenAI } from '@google/genai';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../test/fixture-server.ts';
import { CANARY_KEY, FIXTURE_EXPECTATIONS, GEMINI_ERROR_CASES } from '../test/gemini-error-cases.ts';
import { apiErrorFrom, ERROR_BODY_FIXTURES } from '../test/gemini-fixtures.ts';
import { geminiChat } from './gemini-chat.ts';
import { classifyGeminiError } from './gemini-error.ts';
import { nextGeminiDailyReset } from './gemini-quota-reset.ts';

const NOW = Date.UTC(2026, 10, 21, 20, 0, 0);

describe('classifyGeminiError: the table, with real SDK error objects from the fixtures', () => {
  it.each(GEMINI_ERROR_CASES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const error = typeof row.error === 'function' ? (row.error as () => unknown)() : row.error;
    const classified = classifyGeminiError(error, NOW);
    expect(classified).toMatchObject(row.expected);
    expect(classified.message.length).toBeGreaterThan(0);
    expect(classified.message).not.toContain(CANARY_KEY);
    expect(classified.message).not.toMatch(/AIza[0-9A-Za-z_-]{8,}/);
  });

  it('builds every ApiError as genai does: name ApiError, status, message = the JSON body', () => {
    const error = apiErrorFrom('overloaded');
    expect(error).toBeInstanceOf(ApiError);
    expect(error.name).toBe('ApiError');
    expect(error.status).toBe(503);
    expect(JSON.parse(error.message).error.status).toBe('UNAVAILABLE');
  });

  it('dates a per-day quota to the next midnight Pacific, not to its short RetryInfo', () => {
    const classified = classifyGeminiError(apiErrorFrom('quota-per-day'), NOW);
    expect(classified.resetAt).toBe(nextGeminiDailyReset(NOW));
    // 20:00 UTC on 21 Nov 2026 is 12:00 PST: the quota resets at 08:00 UTC the next day.
    expect(classified.resetAt).toBe(Date.UTC(2026, 10, 22, 8, 0, 0));
    expect(classified.retryAfterMs).toBeUndefined();
  });

  it('masks the key an ApiError body echoed, in the URL and in a header', () => {
    const row = GEMINI_ERROR_CASES.find(
      (candidate) => candidate.name === 'ApiError whose body echoes the key',
    )!;
    const classified = classifyGeminiError((row.error as () => unknown)(), NOW);
    expect(classified.message).toContain('?key=***');
    expect(classified.message).toContain('x-goog-api-key: ***');
  });

  it("keeps a connection error's cause in the message", () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(classifyGeminiError(new TypeError('fetch failed', { cause }), NOW).message).toBe(
      'fetch failed (connect ECONNREFUSED 127.0.0.1:9)',
    );
  });

  it('classifies odd values without throwing', () => {
    for (const odd of [
      undefined,
      null,
      'boom',
      42,
      { weird: true },
      new ApiError({ status: 418, message: 'teapot' }),
    ]) {
      const classified = classifyGeminiError(odd, NOW);
      expect(typeof classified.category).toBe('string');
      expect(typeof classified.message).toBe('string');
    }
    expect(classifyGeminiError(new ApiError({ status: 418, message: 'teapot' }), NOW)).toMatchObject({
      category: 'invalid_request',
      status: 418,
    });
  });
});

describe('classifyGeminiError: errors the real SDK builds from the fixtures over HTTP', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(() => server.close());

  const client = () => new GoogleGenAI({ apiKey: CANARY_KEY, httpOptions: { baseUrl: server.baseUrl } });
  const thrown = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a rejection');
      },
      (error: unknown) => error,
    );

  it.each(ERROR_BODY_FIXTURES.map((name) => [name]))('%s', async (name) => {
    const error = await thrown(client().models.generateContent({ model: name, contents: 'hi' }));
    expect(error).toBeInstanceOf(ApiError);
    expect(classifyGeminiError(error, NOW)).toMatchObject(FIXTURE_EXPECTATIONS[name]);
  });

  it('the HTML 502 page', async () => {
    const error = await thrown(client().models.generateContent({ model: 'bad-gateway', contents: 'hi' }));
    expect(classifyGeminiError(error, NOW)).toMatchObject({
      category: 'server',
      status: 502,
      code: 'Bad Gateway',
    });
  });

  it.each([['prompt-blocked'], ['response-blocked']])('%s, through the unified chat', async (model) => {
    const error = await thrown(
      geminiChat(
        client(),
        { model, messages: [{ role: 'user', content: 'something unsafe' }] },
        {
          signal: new AbortController().signal,
          keyId: 'k',
          reportRateLimit: () => undefined,
          reportUsage: () => undefined,
        },
      ),
    );
    expect(classifyGeminiError(error, NOW)).toMatchObject({
      category: 'content_filter',
      filterReason: expect.stringContaining(
        `${model === 'prompt-blocked' ? 'prompt' : 'response'} blocked: SAFETY`,
      ),
    });
  });
});

describe('classifyGeminiError: errors captured for real from the emulator', () => {
  let emu: Emulator;
  const keys = {
    good: 'AIzaSyEMU-good-000000000000000000000001',
    invalid: 'AIzaSyEMU-invalid-0000000000000000000001',
    leaked: 'AIzaSyEMU-leaked-00000000000000000000001',
    limited: 'AIzaSyEMU-limited-0000000000000000000001',
    spent: 'AIzaSyEMU-spent-000000000000000000000001',
  };
  beforeAll(async () => {
    emu = await startEmulator({
      windowMs: 1000,
      keys: {
        [keys.good]: {},
        [keys.invalid]: { invalid: true },
        [keys.leaked]: { leaked: true },
        [keys.limited]: { rpm: 1 },
        [keys.spent]: { quotaExhausted: true },
      },
      models: {
        overloaded: { overloaded: true },
        small: { contextWindow: 2 },
        missing: { notFound: true },
        broken: { serverError: true },
        reset: { resetBeforeHeaders: true },
        silent: { noResponse: true },
      },
    });
  });
  afterAll(() => emu.close());

  const ask = (key: string, model = 'gemini-2.5-flash', timeout?: number) =>
    new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: emu.baseURLs.gemini, timeout } }).models
      .generateContent({ model, contents: 'a prompt long enough to overflow a tiny context window' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

  it('maps each emulated failure to its category', async () => {
    await ask(keys.limited);
    const cases: [unknown, Partial<ReturnType<typeof classifyGeminiError>>][] = [
      [await ask(keys.invalid), { category: 'auth', status: 400, code: 'API_KEY_INVALID' }],
      [await ask(keys.leaked), { category: 'auth', status: 403 }],
      [
        await ask(keys.limited),
        { category: 'rate_limit', quotaScope: 'minute', retryAfterMs: expect.any(Number) },
      ],
      [await ask(keys.spent), { category: 'quota_exhausted', quotaScope: 'day' }],
      [await ask(keys.good, 'overloaded'), { category: 'overloaded', status: 503 }],
      [await ask(keys.good, 'small'), { category: 'context_length', status: 400 }],
      [await ask(keys.good, 'missing'), { category: 'invalid_request', status: 404, modelNotFound: true }],
      [await ask(keys.good, 'broken'), { category: 'server', status: 500 }],
      [await ask(keys.good, 'reset'), { category: 'network' }],
    ];
    for (const [error, expected] of cases) expect(classifyGeminiError(error, NOW)).toMatchObject(expected);
  });

  it('a raw SDK timeout is an AbortError (genai aborts without a reason): classified aborted, not timeout', async () => {
    const error = await ask(keys.good, 'silent', 100);
    expect((error as Error).name).toBe('AbortError');
    expect(classifyGeminiError(error, NOW).category).toBe('aborted');
  });
});
