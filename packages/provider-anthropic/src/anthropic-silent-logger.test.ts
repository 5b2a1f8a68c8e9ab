import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAnthropicPool } from './anthropic-pool.ts';

const KEY = 'sk-ant-silent-logger-0000000000000001';
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: { [KEY]: {} }, models: { garbled: { malformedChunk: true } } });
});
afterAll(() => emu.close());

describe('the SDK never writes to the console through a pool', () => {
  it('a malformed stream chunk fails the stream without "Could not parse message into JSON" on stderr', async () => {
    const written: string[] = [];
    const spies = [
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }),
      ...(['error', 'warn', 'info', 'log', 'debug'] as const).map((level) =>
        vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
          written.push(args.map(String).join(' '));
        }),
      ),
    ];
    try {
      const pool = createAnthropicPool({
        keys: [{ id: 'k', secret: KEY }],
        maxAttempts: 1,
        clientOptions: { baseURL: emu.baseURLs.anthropic },
      });
      let failure: unknown;
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
      expect(failure).toBeInstanceOf(Error);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(written).toEqual([]);
  });
});
