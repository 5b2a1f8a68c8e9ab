import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ProviderError, StreamInterruptedError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { RequestAbortedError, RequestTimeoutError } from '@mistralai/mistralai/models/errors';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMistralPool } from './mistral-pool';

// The Mistral SDK wraps every call in `new Request(url, { signal })`. Undici's Request follows that signal through a
// weakly held AbortController, so when garbage collection runs while the call waits, the abort (a timeout, the
// caller's signal, the pool's attempt timer) can be lost and the call waits forever. These tests collect garbage
// every 5 ms while each call waits, as a busy process does.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const KEY = 'MistralGcSignalsKey0000000000000001';
const SILENT = 'mistral-silent';
const STALLS = 'mistral-stalls';
const messages = [{ role: 'user' as const, content: 'one two three four' }];
let emulator: Emulator;
let collector: ReturnType<typeof setInterval> | undefined;

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [KEY]: {} },
    models: {
      [SILENT]: { noResponse: true },
      [STALLS]: { streamStallAfterChunks: 1 },
    },
  });
});
afterAll(() => emulator.close());
beforeEach(() => {
  collector = setInterval(collectGarbage, 5);
});
afterEach(() => clearInterval(collector));

const pool = (
  options: { timeoutMs?: number; attemptTimeoutMs?: number; streamIdleTimeoutMs?: number } = {},
) =>
  createMistralPool({
    keys: [{ id: 'only', secret: KEY }],
    clientOptions: {
      serverURL: emulator.baseURLs.mistral,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    },
    ...(options.attemptTimeoutMs ? { attemptTimeoutMs: options.attemptTimeoutMs } : {}),
    ...(options.streamIdleTimeoutMs ? { streamIdleTimeoutMs: options.streamIdleTimeoutMs } : {}),
  });

/** The call's outcome and how long it took; a call still waiting after 5 s counts as hung. */
async function timed(call: () => Promise<unknown>): Promise<{ outcome: unknown; elapsed: number }> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise((resolve) => {
    timer = setTimeout(() => resolve('hung'), 5_000);
  });
  const outcome = await Promise.race([
    call().then(
      () => 'answered',
      (error: unknown) => error,
    ),
    hung,
  ]);
  clearTimeout(timer);
  return { outcome, elapsed: Date.now() - started };
}

describe('Mistral calls end on time while garbage is collected', { timeout: 15_000 }, () => {
  it("pool.client: a per-request timeoutMs throws the SDK's RequestTimeoutError", async () => {
    const { outcome, elapsed } = await timed(() =>
      pool().client.chat.complete({ model: SILENT, messages }, { timeoutMs: 200 }),
    );
    expect(outcome).toBeInstanceOf(RequestTimeoutError);
    expect(elapsed).toBeLessThan(1_500);
  });

  it("pool.client: the client's timeoutMs throws RequestTimeoutError", async () => {
    const { outcome } = await timed(() =>
      pool({ timeoutMs: 200 }).client.chat.complete({ model: SILENT, messages }),
    );
    expect(outcome).toBeInstanceOf(RequestTimeoutError);
  });

  it("pool.client: the caller's signal aborts the call with RequestAbortedError", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { outcome, elapsed } = await timed(() =>
      pool().client.chat.complete({ model: SILENT, messages }, { signal: controller.signal }),
    );
    expect(outcome).toBeInstanceOf(RequestAbortedError);
    expect(elapsed).toBeLessThan(1_500);
  });

  it("pool.client: a timeoutMs next to the caller's signal still fires", async () => {
    const { outcome } = await timed(() =>
      pool().client.chat.complete(
        { model: SILENT, messages },
        { timeoutMs: 200, signal: new AbortController().signal },
      ),
    );
    expect(outcome).toBeInstanceOf(RequestTimeoutError);
  });

  it("pool.chat: the pool's attempt timeout ends the call as a timeout", async () => {
    const { outcome, elapsed } = await timed(() =>
      pool({ attemptTimeoutMs: 200 }).chat({ model: SILENT, messages }),
    );
    expect(outcome).toBeInstanceOf(ProviderError);
    expect((outcome as ProviderError).category).toBe('timeout');
    expect(elapsed).toBeLessThan(1_500);
  });

  it("pool.chat: the client's timeoutMs ends the call as a timeout", async () => {
    const { outcome, elapsed } = await timed(() =>
      pool({ timeoutMs: 200 }).chat({ model: SILENT, messages }),
    );
    expect(outcome).toBeInstanceOf(ProviderError);
    expect((outcome as ProviderError).category).toBe('timeout');
    expect(elapsed).toBeLessThan(1_500);
  });

  it('pool.stream: a stalled stream ends at the idle timeout', async () => {
    const { outcome, elapsed } = await timed(async () => {
      for await (const _chunk of pool({ streamIdleTimeoutMs: 200 }).stream({ model: STALLS, messages })) {
        // read until the stall ends the stream
      }
    });
    // One key: the break is retried on it (it stalls again) until the attempts run out; what matters is the end.
    expect(outcome).toBeInstanceOf(StreamInterruptedError);
    expect(elapsed).toBeLessThan(4_000);
  });

  it("pool.client: the caller's signal ends a stalled stream", async () => {
    const controller = new AbortController();
    const { outcome } = await timed(async () => {
      const stream = await pool().client.chat.stream(
        { model: STALLS, messages },
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(), 100);
      for await (const _event of stream) {
        // the first chunk arrives, then the stall
      }
    });
    expect(outcome).not.toBe('hung');
  });
});
