import { consoleOutputOf } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicPool } from './anthropic-pool.ts';

const KEY = 'sk-ant-silent-logger-0000000000000001';
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: { [KEY]: {} }, models: { garbled: { malformedChunk: true } } });
});
afterAll(() => emu.close());

describe('the SDK never writes to the console through a pool', () => {
  it('a malformed stream chunk fails the stream without "Could not parse message into JSON" on stderr', async () => {
    let failure: unknown;
    const written = await consoleOutputOf(async () => {
      const pool = createAnthropicPool({
        keys: [{ id: 'k', secret: KEY }],
        maxAttempts: 1,
        clientOptions: { baseURL: emu.baseURLs.anthropic },
      });
      try {
        for await (const _ of pool.stream({
          model: 'garbled',
          messages: [{ role: 'user', content: 'hello there' }],
          maxTokens: 50,
        })) {
          // drain
        }
      } catch (error) {
        failure = error;
      }
    });
    expect(failure).toBeInstanceOf(Error);
    expect(written).toEqual([]);
  });
});
