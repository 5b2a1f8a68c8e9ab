import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOpenAIPool } from './openai-pool.ts';

const KEY = 'sk-openai-silent-logger-00000000000001';
const messages = [{ role: 'user' as const, content: 'hello there' }];
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: { [KEY]: {} }, models: { garbled: { malformedChunk: true } } });
});
afterAll(() => emu.close());

/** Everything written to stderr or the console while `run` runs. */
async function consoleOutputOf(run: () => Promise<void>): Promise<string[]> {
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
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written;
}

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
