import { Mistral } from '@mistralai/mistralai';
import type { ChatCompletionResponse, CompletionEvent } from '@mistralai/mistralai/models/components';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMistralPool } from './mistral-pool';

// The types are checked by `pnpm typecheck` (tsc); the runtime checks prove the values behave as the SDK's.
describe('pool.client types are the @mistralai/mistralai types', () => {
  const pool = createMistralPool({
    keys: [{ id: 'a', secret: 'MistralTypes0000000000000000001' }],
    clientOptions: { serverURL: 'http://127.0.0.1:9' },
  });

  it('is assignable to Mistral, and is one at runtime', () => {
    expectTypeOf(pool.client).toEqualTypeOf<Mistral>();
    const asSdk: Mistral = pool.client;
    expect(asSdk).toBeInstanceOf(Mistral);
  });

  it('methods return the SDK types; a routed stream is a ReadableStream of events', () => {
    expectTypeOf(pool.client.chat.complete).returns.toEqualTypeOf<Promise<ChatCompletionResponse>>();
    expectTypeOf(pool.client.chat.stream).returns.resolves.toExtend<ReadableStream<CompletionEvent>>();
  });
});
