import { StreamInterruptedError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorPools, traffic } from '../test/emulator-pools';
import { createFallbackChain } from './fallback-chain';
import type { FallbackChatResult, FallbackStreamEvent } from './fallback-result';

// End to end, streaming: the real SDKs, through the provider packages, against the emulator on 127.0.0.1.
const WINDOW_MS = 1_000;
const ANT = 'sk-ant-e2e-stream-healthy-00000000001';
const OAI = 'sk-e2e-stream-openai-healthy-000000002';
const GEM = 'AIzaE2eStreamGeminiHealthy00000000003';
const MIS = 'mis-e2e-stream-mistral-healthy-000004';

const ask = () => ({
  model: 'replaced',
  maxTokens: 64,
  messages: [{ role: 'user' as const, content: 'tell me a rather long story please' }],
});
const FULL = 'Echo: tell me a rather long story please';

let emu: Emulator;
let pools: ReturnType<typeof emulatorPools>;

beforeAll(async () => {
  emu = await startEmulator({
    windowMs: WINDOW_MS,
    logRawKeys: true,
    keys: { [ANT]: {}, [OAI]: {}, [GEM]: {}, [MIS]: {} },
    models: {
      'claude-slow-first': { firstTokenDelayMs: 3_000 },
      'claude-cut': { streamCutAfterChunks: 2 },
      'gpt-stall': { streamStallAfterChunks: 2, stallMs: 5_000 },
      'mistral-malformed': { malformedChunk: true },
      'claude-no-end': { noTerminator: true },
      'gpt-no-end': { noTerminator: true },
      'mistral-no-end': { noTerminator: true },
      'gemini-no-end': { noTerminator: true },
    },
  });
  pools = emulatorPools(emu, WINDOW_MS);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function collect(
  stream: AsyncIterable<FallbackStreamEvent>,
): Promise<{ deltas: string[]; result?: FallbackChatResult; error?: unknown; at: number[] }> {
  const deltas: string[] = [];
  const at: number[] = [];
  let result: FallbackChatResult | undefined;
  try {
    for await (const event of stream) {
      at.push(Date.now());
      if (event.type === 'delta') deltas.push(event.text);
      else if (event.type === 'done') result = event.result;
    }
  } catch (error) {
    return { deltas, error, at, ...(result ? { result } : {}) };
  }
  return { deltas, at, ...(result ? { result } : {}) };
}

describe('fallback chain streaming end to end (real SDKs, emulator)', () => {
  it('slow first token: past firstChunkTimeoutMs the next step streams the answer', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-slow-first', firstChunkTimeoutMs: 300 },
      { pool: pools.openai([OAI]), model: 'gpt-ok' },
    ]);
    const started = Date.now();
    const { deltas, result, error } = await collect(chain.stream(ask()));
    expect(error).toBeUndefined();
    expect(deltas.join('')).toBe(FULL);
    expect(result?.served).toMatchObject({ index: 1, provider: 'openai', model: 'gpt-ok' });
    expect(result?.attempts[0]).toMatchObject({ provider: 'anthropic', category: 'timeout' });
    const primary = traffic(emu, 'claude-slow-first');
    expect(primary.outcomes).toHaveLength(1);
    // The emulator runs in this process (same clock): the fallback was asked only once the limit had passed.
    const fallbackAt = traffic(emu, 'gpt-ok').times[0]!;
    expect(fallbackAt - started).toBeGreaterThanOrEqual(295);
    expect(fallbackAt).toBeGreaterThanOrEqual(primary.times[0]!);
    expect(fallbackAt - started).toBeLessThan(2_500);
  });

  it("onInterrupt 'fail', stream cut mid-answer: StreamInterruptedError with the partial text, no fallback", async () => {
    const chain = createFallbackChain(
      [
        { pool: pools.anthropic([ANT]), model: 'claude-cut' },
        { pool: pools.openai([OAI]), model: 'gpt-ok' },
      ],
      { onInterrupt: 'fail' },
    );
    const { deltas, result, error } = await collect(chain.stream(ask()));
    expect(result).toBeUndefined();
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    const interrupted = error as StreamInterruptedError;
    expect(interrupted.partialText).toBe(deltas.join(''));
    expect(interrupted.partialText.length).toBeGreaterThan(0);
    expect(FULL.startsWith(interrupted.partialText)).toBe(true);
    expect(interrupted.partialText).not.toBe(FULL);
    expect(traffic(emu, 'claude-cut').outcomes).toEqual(['stream_cut']);
    expect(emu.requestsFor(OAI)).toHaveLength(0);
  });

  it('stream cut with restartOnInterrupt: the whole answer restarts on the next step, the caller sees only it', async () => {
    const chain = createFallbackChain(
      [
        { pool: pools.anthropic([ANT]), model: 'claude-cut' },
        { pool: pools.mistral([MIS]), model: 'mistral-ok' },
      ],
      { restartOnInterrupt: true, onInterrupt: 'fail' },
    );
    const { deltas, result, error } = await collect(chain.stream(ask()));
    expect(error).toBeUndefined();
    expect(deltas.join('')).toBe(FULL);
    expect(result?.served.provider).toBe('mistral');
    expect(result?.attempts.map((attempt) => [attempt.provider, attempt.outcome])).toEqual([
      ['anthropic', 'failure'],
      ['mistral', 'success'],
    ]);
    expect(traffic(emu, 'claude-cut').outcomes).toEqual(['stream_cut']);
    expect(traffic(emu, 'mistral-ok').outcomes).toEqual(['ok']);
  });

  it("onInterrupt 'fail', stream stall: silence past idleTimeoutMs interrupts the stream", async () => {
    const chain = createFallbackChain(
      [
        { pool: pools.openai([OAI]), model: 'gpt-stall', idleTimeoutMs: 300 },
        { pool: pools.anthropic([ANT]), model: 'claude-ok' },
      ],
      { onInterrupt: 'fail' },
    );
    const started = Date.now();
    const { deltas, error, at } = await collect(chain.stream(ask()));
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).interruptedBy).toBe('timeout');
    expect((error as StreamInterruptedError).partialText).toBe(deltas.join(''));
    expect(deltas).toHaveLength(2);
    const stalledFor = Date.now() - at.at(-1)!;
    expect(stalledFor).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(traffic(emu, 'gpt-stall').outcomes).toHaveLength(1);
    expect(emu.requestsFor(ANT)).toHaveLength(0);
  });

  it("onInterrupt 'fail', malformed chunk: the stream is interrupted, never a success", async () => {
    const chain = createFallbackChain(
      [
        { pool: pools.mistral([MIS]), model: 'mistral-malformed' },
        { pool: pools.openai([OAI]), model: 'gpt-ok' },
      ],
      { onInterrupt: 'fail' },
    );
    const { deltas, result, error } = await collect(chain.stream(ask()));
    expect(result).toBeUndefined();
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe(deltas.join(''));
    expect(deltas.length).toBeGreaterThanOrEqual(1);
    expect(traffic(emu, 'mistral-malformed').outcomes).toEqual(['malformed_chunk']);
    expect(emu.requestsFor(OAI)).toHaveLength(0);
  });

  it.each([
    ['anthropic', 'claude-no-end'],
    ['gemini', 'gemini-no-end'],
  ] as const)(
    "onInterrupt 'fail': a %s stream without its terminator is interrupted, with the whole text as partial",
    async (provider, model) => {
      const pool = provider === 'anthropic' ? pools.anthropic([ANT]) : pools.gemini([GEM]);
      const chain = createFallbackChain(
        [
          { pool, model },
          { pool: pools.openai([OAI]), model: 'gpt-ok' },
        ],
        { onInterrupt: 'fail' },
      );
      const { deltas, result, error } = await collect(chain.stream(ask()));
      expect(result).toBeUndefined();
      expect(StreamInterruptedError.isInstance(error)).toBe(true);
      expect((error as StreamInterruptedError).partialText).toBe(FULL);
      expect(deltas.join('')).toBe(FULL);
      expect(traffic(emu, model).outcomes).toEqual(['no_terminator']);
      expect(traffic(emu, 'gpt-ok').outcomes).toHaveLength(0);
    },
  );

  it.each([
    ['openai', 'gpt-no-end'],
    ['mistral', 'mistral-no-end'],
  ] as const)(
    'a %s stream missing only [DONE] (finish_reason and usage arrived) is whole: served, never cut',
    async (provider, model) => {
      // The emulator's noTerminator drops only `data: [DONE]` for these dialects; their adapters end the answer on
      // finish_reason, so the text is complete. What matters to the chain: the result is never a cut answer.
      const pool = provider === 'openai' ? pools.openai([OAI]) : pools.mistral([MIS]);
      const chain = createFallbackChain([{ pool, model }]);
      const { deltas, result, error } = await collect(chain.stream(ask()));
      expect(error).toBeUndefined();
      expect(result?.text).toBe(FULL);
      expect(result?.finishReason).toBe('stop');
      expect(deltas.join('')).toBe(FULL);
      expect(traffic(emu, model).outcomes).toEqual(['no_terminator']);
    },
  );

  it('accounting: a streamed answer names the serving model and counts only its usage', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-slow-first', firstChunkTimeoutMs: 200 },
      { pool: pools.gemini([GEM]), model: 'gemini-ok' },
    ]);
    const { result, deltas } = await collect(chain.stream(ask()));
    const entry = emu.requestsFor(GEM)[0]!;
    expect(deltas.join('')).toBe(FULL);
    expect(result?.text).toBe(FULL);
    expect(result?.served).toMatchObject({ provider: 'gemini', model: 'gemini-ok', keyId: 'gem-1' });
    expect(result?.served.maskedKey).toBe(entry.keyMasked);
    expect(result?.usage.outputTokens).toBe(entry.completionTokens);
    expect(result?.usage.inputTokens).toBe(entry.promptTokens);
  });
});
