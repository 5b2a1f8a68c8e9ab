import Anthropic from '@anthropic-ai/sdk';
import { APIPromise } from '@anthropic-ai/sdk/core/api-promise';
import type { Stream } from '@anthropic-ai/sdk/core/streaming';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { ErrorCategory, WithKeypoolView } from '@keypool/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createAnthropicPool } from './anthropic-pool.ts';

// The types are checked by `pnpm typecheck` (tsc); the runtime checks prove the values really are the SDK's.
describe('pool.client types are the @anthropic-ai/sdk types', () => {
  const pool = createAnthropicPool({
    keys: [{ id: 'a', secret: 'sk-ant-types-000000000000000000001' }],
    clientOptions: { baseURL: 'http://127.0.0.1:9' },
    maxAttempts: 1,
  });
  const body = { model: 'claude-x', max_tokens: 8, messages: [{ role: 'user' as const, content: 'x' }] };

  it('is assignable to Anthropic, and is one at runtime', () => {
    expectTypeOf(pool.client).toEqualTypeOf<Anthropic>();
    const asSdk: Anthropic = pool.client;
    expect(asSdk).toBeInstanceOf(Anthropic);
    expect(pool.client.withOptions({ timeout: 5 })).toBeInstanceOf(Anthropic);
  });

  it('methods return the SDK promise, stream and MessageStream types, at runtime too', async () => {
    const plain = pool.client.messages.create(body);
    expectTypeOf(plain).toEqualTypeOf<APIPromise<Anthropic.Message>>();
    expect(plain).toBeInstanceOf(APIPromise);
    const streaming = pool.client.messages.create({ ...body, stream: true });
    expectTypeOf(streaming).toEqualTypeOf<APIPromise<Stream<Anthropic.RawMessageStreamEvent>>>();
    const helper = pool.client.messages.stream(body);
    expectTypeOf(helper).toEqualTypeOf<MessageStream>();
    expect(helper).toBeInstanceOf(MessageStream);
    const [error] = await Promise.all([
      plain.catch((caught: unknown) => caught),
      streaming.catch(() => undefined),
      helper.finalMessage().catch(() => undefined),
    ]);
    expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
    const typed = error as WithKeypoolView<InstanceType<typeof Anthropic.APIConnectionError>>;
    expectTypeOf(typed.keypool.category).toEqualTypeOf<ErrorCategory | undefined>();
    expect(typed.keypool.category).toBe('network');
  });
});
