import { ProviderError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { Mistral } from '@mistralai/mistralai';
import { ResponseValidationError, SDKValidationError } from '@mistralai/mistralai/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './__fixtures__/rejection';
import { classifyMistralError } from './mistral-error';
import { createMistralPool } from './mistral-pool';

// A 200 whose body fails the SDK's response validation is `invalid_response`: it was billed, and the same request
// would most likely be answered the same way, so it is not sent again.

let emulator: Emulator;
const A = 'MistralInvalidA7Rk2Lm9Xp4Tn6Wv1Ys';
const B = 'MistralInvalidB7Rk2Lm9Xp4Tn6Wv1Ys';
const messages = [{ role: 'user' as const, content: 'hello there' }];

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [A]: {}, [B]: {} },
    models: {
      'mistral-broken-body': { invalidResponseBody: true },
      'mistral-malformed': { malformedChunk: true },
    },
  });
});
afterAll(() => emulator.close());

const client = () => new Mistral({ apiKey: A, serverURL: emulator.baseURLs.mistral });

describe('classifyMistralError: answers the SDK cannot use', () => {
  it('ResponseValidationError from a 200 that fails the response schema is invalid_response', async () => {
    const error = await rejection(client().chat.complete({ model: 'mistral-broken-body', messages }));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(classifyMistralError(error)).toMatchObject({ category: 'invalid_response' });
  });

  it('an SDKValidationError on a response (not the input) is invalid_response', () => {
    const error = new SDKValidationError('Response validation failed', new Error('bad'), '{"id":1}');
    expect(classifyMistralError(error).category).toBe('invalid_response');
  });

  it('input the SDK refuses stays invalid_request; a malformed stream chunk stays server', async () => {
    const input = await rejection(
      client().chat.complete({ model: 'm', messages: [{ role: 'robot' as 'user', content: 'x' }] }),
    );
    expect(classifyMistralError(input).category).toBe('invalid_request');
    const stream = await client().chat.stream({ model: 'mistral-malformed', messages });
    const broken = await rejection(
      (async () => {
        for await (const _event of stream) {
          // drain
        }
      })(),
    );
    expect(classifyMistralError(broken).category).toBe('server');
  });
});

describe('pool.client: an answer that fails validation is not sent again', () => {
  it('throws the SDK error with a keypool view (invalid_response) after one request, keys left alone', async () => {
    const pool = createMistralPool({
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
      ],
      clientOptions: { serverURL: emulator.baseURLs.mistral },
    });
    emulator.reset();
    const error = await pool.client.chat
      .complete({ model: 'mistral-broken-body', messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseValidationError);
    const view = (error as { keypool: { category: string; error: unknown } }).keypool;
    expect(view.category).toBe('invalid_response');
    expect(ProviderError.isInstance(view.error)).toBe(true);
    expect(emulator.requests.map((entry) => entry.status)).toEqual([200]);
    expect(pool.snapshot().map((key) => key.status)).toEqual(['active', 'active']);
  });
});
