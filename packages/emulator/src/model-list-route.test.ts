import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './server.ts';

let emulator: Emulator;
const GOOD = 'sk-list-good-000000000000000001';
const BAD = 'sk-list-bad-0000000000000000002';

beforeAll(async () => {
  emulator = await startEmulator({ keys: { [GOOD]: {}, [BAD]: { invalid: true } }, models: { 'm-one': {} } });
});
afterAll(() => emulator.close());

describe('GET .../models', () => {
  it('lists models in each provider shape and logs the request', async () => {
    const get = (path: string, headers: Record<string, string>) =>
      fetch(`${emulator.url}${path}`, { headers }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
      }));
    const openai = await get('/openai/v1/models', { authorization: `Bearer ${GOOD}` });
    expect(openai.status).toBe(200);
    expect(openai.body).toMatchObject({
      object: 'list',
      data: expect.arrayContaining([expect.objectContaining({ id: 'm-one' })]),
    });
    const anthropic = await get('/anthropic/v1/models', { 'x-api-key': GOOD });
    expect(anthropic.body).toMatchObject({
      has_more: false,
      data: expect.arrayContaining([expect.objectContaining({ type: 'model' })]),
    });
    const gemini = await get('/gemini/v1beta/models', { 'x-goog-api-key': GOOD });
    expect(gemini.body).toMatchObject({
      models: expect.arrayContaining([expect.objectContaining({ name: 'models/m-one' })]),
    });
    const mistral = await get('/mistral/v1/models', { authorization: `Bearer ${GOOD}` });
    expect(mistral.body).toMatchObject({ object: 'list' });
    expect(emulator.requestsFor(GOOD).map((entry) => [entry.provider, entry.status])).toEqual([
      ['openai', 200],
      ['anthropic', 200],
      ['gemini', 200],
      ['mistral', 200],
    ]);
  });

  it('refuses an invalid or missing key with the provider auth error', async () => {
    const bad = await fetch(`${emulator.url}/openai/v1/models`, {
      headers: { authorization: `Bearer ${BAD}` },
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    const none = await fetch(`${emulator.url}/anthropic/v1/models`);
    expect(none.status).toBe(401);
    await none.body?.cancel();
  });
});

describe('POST count tokens', () => {
  it('counts the prompt for Anthropic and Gemini, and refuses a bad key', async () => {
    const post = (path: string, headers: Record<string, string>, body: unknown) =>
      fetch(`${emulator.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
      }));
    const anthropic = await post(
      '/anthropic/v1/messages/count_tokens',
      { 'x-api-key': GOOD },
      {
        model: 'm-one',
        messages: [{ role: 'user', content: 'count these words please' }],
      },
    );
    expect(anthropic.status).toBe(200);
    expect(anthropic.body.input_tokens).toBeGreaterThan(0);
    const gemini = await post(
      '/gemini/v1beta/models/m-one:countTokens',
      { 'x-goog-api-key': GOOD },
      {
        contents: [{ role: 'user', parts: [{ text: 'count these words please' }] }],
      },
    );
    expect(gemini.body.totalTokens).toBe(anthropic.body.input_tokens);
    const refused = await post(
      '/anthropic/v1/messages/count_tokens',
      { 'x-api-key': BAD },
      { model: 'm', messages: [] },
    );
    expect(refused.status).toBe(401);
  });
});
