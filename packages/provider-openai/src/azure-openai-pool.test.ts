import { ConfigError, PoolExhaustedError, ProviderError } from '@keypool/core';
import { createRecordingFetch } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureOpenAIPool } from './azure-openai-pool';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ windowMs: 60_000 });
});
afterAll(() => emulator.close());

const KEY_A = 'azkeyA0123456789abcdef0123456789';
const KEY_B = 'azkeyB0123456789abcdef0123456789';
const API_VERSION = '2024-10-21';
const ask = { messages: [{ role: 'user' as const, content: 'hello azure' }] };

describe('createAzureOpenAIPool', () => {
  it('sends each key in the api-key header to the deployment path with api-version, through AzureOpenAI', async () => {
    emulator.addKey(KEY_A);
    const recording = createRecordingFetch();
    const pool = createAzureOpenAIPool({
      keys: [{ id: 'east', secret: KEY_A }],
      endpoint: emulator.azureOpenAIEndpoint,
      apiVersion: API_VERSION,
      clientOptions: { fetch: recording.fetch },
    });
    expect(pool.client).toBeInstanceOf(AzureOpenAI);
    const completion = await pool.client.chat.completions.create({ model: 'gpt-4o-prod', ...ask });
    expect(completion.choices[0]?.message.content).toBe('Echo: hello azure');
    const [sent] = recording.requests;
    expect(sent?.path).toBe(
      `/azure/openai/deployments/gpt-4o-prod/chat/completions?api-version=${API_VERSION}`,
    );
    expect(sent?.headers['api-key']).toBe(KEY_A);
    expect(sent?.headers.authorization).toBeUndefined();
    expect(emulator.requestsFor(KEY_A).at(-1)).toMatchObject({
      provider: 'azure-openai',
      model: 'gpt-4o-prod',
    });
  });

  it('rotates to the next key on a 429, and labels events and errors azure-openai', async () => {
    const limited = 'azlimited0123456789abcdef012345';
    const spare = 'azspare00123456789abcdef0123456';
    emulator.addKey(limited, { rpm: 1, rateLimitHeaders: false, retryAfterMs: 30_000 }); // a 429 the pool cannot foresee
    emulator.addKey(spare);
    const pool = createAzureOpenAIPool({
      keys: [
        { id: 'limited', secret: limited },
        { id: 'spare', secret: spare },
      ],
      endpoint: emulator.azureOpenAIEndpoint,
      apiVersion: API_VERSION,
      deployment: 'chat-deployment',
      strategy: 'round-robin',
    });
    const events: { type: string; provider?: string; keyId?: string; category?: string }[] = [];
    pool.onAny((event) => events.push(event));
    const first = await pool.chat({ model: 'ignored-by-deployment', ...ask });
    expect(first.keyId).toBe('limited');
    const second = await pool.chat({ model: 'ignored-by-deployment', ...ask });
    const third = await pool.chat({ model: 'ignored-by-deployment', ...ask });
    expect([second.keyId, third.keyId]).toEqual(['spare', 'spare']);
    const failed = events.find((event) => event.type === 'request.failure');
    expect(failed).toMatchObject({ provider: 'azure-openai', keyId: 'limited', category: 'rate_limit' });
    expect(emulator.requestsFor(limited).map((entry) => entry.status)).toEqual([200, 429]);
    expect(emulator.requestsFor(limited)[1]?.path).toBe(
      '/azure/openai/deployments/chat-deployment/chat/completions',
    );
    expect(new Set(events.map((event) => event.provider))).toEqual(new Set(['azure-openai']));

    const revoked = 'azrevoked0123456789abcdef01234';
    emulator.addKey(revoked, { invalid: true });
    const broken = createAzureOpenAIPool({
      keys: [{ id: 'revoked', secret: revoked }],
      endpoint: emulator.azureOpenAIEndpoint,
      apiVersion: API_VERSION,
    });
    const error = await broken.chat({ model: 'gpt-4o-prod', ...ask }).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
    const cause = (error as PoolExhaustedError).errors[0];
    expect(cause).toBeInstanceOf(ProviderError);
    expect(cause).toMatchObject({ provider: 'azure-openai', category: 'auth', status: 401 });
    expect((error as Error).message).toMatch(/^azure-openai pool exhausted/);
    expect(JSON.stringify([error, broken.snapshot()])).not.toContain(revoked);
    expect(String((error as Error).message)).not.toContain(revoked);
  });

  it('streams, and tells a missing deployment apart (model not found, so a chain moves on)', async () => {
    emulator.addKey(KEY_B);
    emulator.setModelBehaviour('gone-deployment', { notFound: true });
    const pool = createAzureOpenAIPool({
      keys: [{ id: 'b', secret: KEY_B }],
      endpoint: emulator.azureOpenAIEndpoint,
      apiVersion: API_VERSION,
    });
    const stream = await pool.client.chat.completions.create({ model: 'gpt-4o-prod', stream: true, ...ask });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: hello azure');
    const error = await pool.chat({ model: 'gone-deployment', ...ask }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      category: 'invalid_request',
      modelNotFound: true,
      provider: 'azure-openai',
    });
  });

  it('reads AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION, and names what is missing', async () => {
    const pool = createAzureOpenAIPool({
      env: {
        AZURE_OPENAI_API_KEY: KEY_A,
        AZURE_OPENAI_API_KEY_2: KEY_B,
        AZURE_OPENAI_ENDPOINT: emulator.azureOpenAIEndpoint,
        OPENAI_API_VERSION: API_VERSION,
      },
    });
    expect(pool.snapshot().map((key) => key.id)).toEqual([
      'env:AZURE_OPENAI_API_KEY',
      'env:AZURE_OPENAI_API_KEY_2',
    ]);
    expect((await pool.chat({ model: 'gpt-4o-prod', ...ask })).text).toBe('Echo: hello azure');

    const missing = (() => {
      try {
        createAzureOpenAIPool({ env: {} });
      } catch (error) {
        return error;
      }
    })();
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toContain('AZURE_OPENAI_ENDPOINT');
    expect((missing as Error).message).toContain('OPENAI_API_VERSION');
    expect(() =>
      createAzureOpenAIPool({
        env: { AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com', OPENAI_API_VERSION: '1' },
      }),
    ).toThrow(/AZURE_OPENAI_API_KEY/);
  });
  it('takes one key as apiKey (id "apiKey"), over the environment, and refuses apiKey with keys', async () => {
    emulator.addKey(KEY_B);
    const pool = createAzureOpenAIPool({
      apiKey: KEY_B,
      endpoint: emulator.azureOpenAIEndpoint,
      apiVersion: API_VERSION,
      env: { AZURE_OPENAI_API_KEY: KEY_A },
    });
    const completion = await pool.client.chat.completions.create({ model: 'gpt-4o-prod', ...ask });
    expect(completion.choices[0]?.message.content).toBe('Echo: hello azure');
    expect(pool.snapshot().map((key) => [key.id, key.counts.successes])).toEqual([['apiKey', 1]]);
    expect(() =>
      createAzureOpenAIPool({
        apiKey: KEY_B,
        keys: [{ id: 'east', secret: KEY_A }],
        endpoint: emulator.azureOpenAIEndpoint,
        apiVersion: API_VERSION,
      }),
    ).toThrow(/apiKey: give keys or apiKey, not both/);
  });
});
