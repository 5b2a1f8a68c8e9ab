import { ProviderError, type WithKeypoolView } from '@keypool/core';
import OpenAI from 'openai';
import { APIPromise } from 'openai/core/api-promise';
import { Stream } from 'openai/core/streaming';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createOpenAIPool } from './openai-pool';

// The types are checked by `pnpm typecheck` (tsc); the runtime checks prove the values really are the SDK's.
describe('pool.client types are the openai SDK types', () => {
  const pool = createOpenAIPool({
    keys: [{ id: 'a', secret: 'sk-types-000000000000000000000001' }],
    clientOptions: { baseURL: 'http://127.0.0.1:9/v1' },
    maxAttempts: 1,
  });
  const body = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'x' }] };

  it('is assignable to OpenAI, and is one at runtime', () => {
    expectTypeOf(pool.client).toEqualTypeOf<OpenAI>();
    const asSdk: OpenAI = pool.client;
    expect(asSdk).toBeInstanceOf(OpenAI);
    expect(pool.client.withOptions({ timeout: 5 })).toBeInstanceOf(OpenAI);
  });

  it('methods return the SDK promise and stream types, at runtime too', async () => {
    const plain = pool.client.chat.completions.create(body);
    expectTypeOf(plain).toEqualTypeOf<APIPromise<OpenAI.Chat.ChatCompletion>>();
    expect(plain).toBeInstanceOf(APIPromise);
    const streaming = pool.client.chat.completions.create({ ...body, stream: true });
    expectTypeOf(streaming).toEqualTypeOf<APIPromise<Stream<OpenAI.Chat.ChatCompletionChunk>>>();
    expect(streaming).toBeInstanceOf(APIPromise);
    const [error] = await Promise.all([
      plain.catch((caught: unknown) => caught),
      streaming.catch(() => undefined),
    ]);
    // Nothing listens on port 9: the SDK's own connection error, with Keypool's view.
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    const typed = error as WithKeypoolView<InstanceType<typeof OpenAI.APIConnectionError>>;
    expectTypeOf(typed.status).toEqualTypeOf<undefined>();
    expect(ProviderError.isInstance(typed.keypool.error) || typed.keypool.exhausted !== undefined).toBe(true);
    expect(Stream).toBeTypeOf('function');
  });
});
