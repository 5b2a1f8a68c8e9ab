import { consoleOutputOf } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIPool } from './openai-pool.ts';

const KEY = 'sk-openai-silent-logger-00000000000001';
const messages = [{ role: 'user' as const, content: 'hello there' }];
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: { [KEY]: {} }, models: { garbled: { malformedChunk: true } } });
});
afterAll(() => emu.close());

const pool = () =>
  createOpenAIPool({
    keys: [{ id: 'k', secret: KEY }],
    maxAttempts: 1,
    clientOptions: { baseURL: emu.baseURLs.openai },
  });

describe('the OpenAI SDK never writes to the console through a pool', () => {
  it('a malformed chunk in pool.stream fails the stream without "Could not parse message into JSON"', async () => {
    let failure: unknown;
    const written = await consoleOutputOf(async () => {
      try {
        for await (const _ of pool().stream({ model: 'garbled', messages })) {
          // drain
        }
      } catch (error) {
        failure = error;
      }
    });
    expect(failure).toBeInstanceOf(Error);
    expect(written.join('|')).toBe('');
  });

  it('a malformed chunk in a pool.client stream stays off the console too', async () => {
    let failure: unknown;
    const written = await consoleOutputOf(async () => {
      try {
        const stream = await pool().client.chat.completions.create({
          model: 'garbled',
          messages,
          stream: true,
        });
        for await (const _ of stream) {
          // drain
        }
      } catch (error) {
        failure = error;
      }
    });
    expect(failure).toBeInstanceOf(Error);
    expect(written.join('|')).toBe('');
  });
});
