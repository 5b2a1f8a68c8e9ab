import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorPools, traffic } from '../test/emulator-pools';
import { createFallbackChain } from './fallback-chain';
import type { FallbackStreamEvent } from './fallback-result';

// End to end: a chain's stream survives breaks, with the real SDKs against the emulator on 127.0.0.1.
const WINDOW_MS = 1_000;
const ANT = 'sk-ant-e2e-cont-healthy-00000000001';
const OAI = 'sk-e2e-cont-openai-healthy-000000002';
const MIS = 'mis-e2e-cont-mistral-healthy-000004';
const ANT_ONE = 'sk-ant-e2e-cont-one-per-window-00005';
const QUESTION = 'tell me the story of the cat who saw the cat on the mat again';
const FULL = `Echo: ${QUESTION}`;
const ask = () => ({
  model: 'replaced',
  maxTokens: 64,
  messages: [{ role: 'user' as const, content: QUESTION }],
});

let emu: Emulator;
let pools: ReturnType<typeof emulatorPools>;
beforeAll(async () => {
  emu = await startEmulator({
    windowMs: WINDOW_MS,
    keys: { [ANT]: {}, [OAI]: {}, [MIS]: {}, [ANT_ONE]: { rpm: 1 } },
    models: {
      'claude-haiku-4-5-cut': { streamCutAfterChunks: 5, streamFaultTimes: 1 },
      'claude-opus-4-7-cut': { streamCutAfterChunks: 4, streamFaultTimes: 1, rejectPrefill: true },
      'gpt-stall': { streamStallAfterChunks: 3, streamFaultTimes: 1 },
      'mistral-malformed': { malformedChunk: true, faultAfterChunks: 3, streamFaultTimes: 1 },
    },
  });
  pools = emulatorPools(emu, WINDOW_MS);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

async function collect(stream: AsyncIterable<FallbackStreamEvent>) {
  const events: FallbackStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  let screen = '';
  for (const event of events) {
    if (event.type === 'delta') screen += event.text;
    else if (event.type === 'restart') screen = '';
  }
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error('no done');
  return { events, screen, result: done.result };
}

describe('fallback chain: streams that survive (real SDKs, emulator)', () => {
  it('a cut Claude Haiku 4.5 stream is continued by prefill: the whole answer, no repeat, no restart', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-haiku-4-5-cut' },
      { pool: pools.openai([OAI]), model: 'gpt-ok' },
    ]);
    const { events, screen, result } = await collect(chain.stream(ask()));
    expect(screen).toBe(FULL);
    expect(result.text).toBe(FULL);
    expect(events.some((event) => event.type === 'restart')).toBe(false);
    expect(result.continued).toMatchObject([
      {
        how: 'prefill',
        from: { step: 'anthropic:claude-haiku-4-5-cut' },
        to: { step: 'anthropic:claude-haiku-4-5-cut' },
      },
    ]);
    const log = emu.requests.filter((entry) => entry.model === 'claude-haiku-4-5-cut');
    expect(log.map((entry) => entry.outcome)).toEqual(['stream_cut', 'ok']);
    expect(FULL.startsWith(log[1]?.prefill ?? '')).toBe(true);
    expect(log[1]?.prefill?.length).toBeGreaterThan(0);
    expect(traffic(emu, 'gpt-ok').outcomes).toHaveLength(0);
    // Usage counts the cut attempt (estimated) and the continuation.
    expect(result.usageEstimated).toBe(true);
  });

  it('a break the same step cannot continue (its one key is rate limited) goes on on the next step, restarted', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT_ONE]), model: 'claude-haiku-4-5-cut', name: 'claude' },
      { pool: pools.openai([OAI]), model: 'gpt-ok', name: 'gpt' },
    ]);
    const { events, screen, result } = await collect(chain.stream(ask()));
    // GPT cannot continue a prefill: the caller is told to clear what Claude sent, then gets GPT's whole answer.
    const restart = events.findIndex((event) => event.type === 'restart');
    expect(restart).toBeGreaterThan(0);
    expect(events.slice(0, restart).some((event) => event.type === 'delta')).toBe(true);
    expect(screen).toBe(FULL);
    expect(result.served.name).toBe('gpt');
    expect(result.continued).toMatchObject([
      { how: 'restart', from: { step: 'claude' }, to: { step: 'gpt' } },
    ]);
    // Claude's stream was cut, and its headers had said the key's window was spent: the pool sent Claude nothing more.
    expect(traffic(emu, 'claude-haiku-4-5-cut').outcomes).toEqual(['stream_cut']);
    expect(traffic(emu, 'gpt-ok').outcomes).toEqual(['ok']);
  });

  it('a model that rejects the prefill restarts instead: the 400 never reaches the caller', async () => {
    const chain = createFallbackChain([{ pool: pools.anthropic([ANT]), model: 'claude-opus-4-7-cut' }], {
      // Pretend the table says this model continues a prefill: the emulator answers it like Claude 4.6+ (400).
      continuation: {
        capabilities: [{ provider: 'anthropic', model: 'claude-opus-4-7*', method: 'prefill' }],
      },
    });
    const { events, screen, result } = await collect(chain.stream(ask()));
    expect(screen).toBe(FULL);
    const restart = events.findIndex((event) => event.type === 'restart');
    expect(restart).toBeGreaterThan(0);
    expect(events[restart + 1]).toMatchObject({ type: 'delta' });
    expect(result.continued).toMatchObject([{ how: 'restart', prefillRejected: true }]);
    const log = emu.requests.filter((entry) => entry.model === 'claude-opus-4-7-cut');
    expect(log.map((entry) => entry.status)).toEqual([200, 400, 200]);
    expect(log[1]?.prefill).toBeDefined();
    expect(log[2]?.prefill).toBeUndefined();

    // The chain remembers: on its next call the model is asked to restart at once (no second 400).
    emu.setModelBehaviour('claude-opus-4-7-cut', {
      streamCutAfterChunks: 4,
      streamFaultTimes: 1,
      rejectPrefill: true,
    });
    const again = await collect(chain.stream(ask()));
    expect(again.screen).toBe(FULL);
    expect(again.result.continued).toMatchObject([{ how: 'restart' }]);
    const later = emu.requests.filter((entry) => entry.model === 'claude-opus-4-7-cut').slice(3);
    expect(later.map((entry) => entry.status)).toEqual([200, 200]);
  });

  it('an OpenAI stream that stalls past idleTimeoutMs restarts on the same step, announced', async () => {
    const chain = createFallbackChain([
      { pool: pools.openai([OAI]), model: 'gpt-stall', idleTimeoutMs: 300 },
    ]);
    const { events, screen, result } = await collect(chain.stream(ask()));
    expect(screen).toBe(FULL);
    expect(events.find((event) => event.type === 'restart')).toMatchObject({ reason: 'timeout' });
    expect(result.continued).toMatchObject([{ how: 'restart', reason: 'timeout' }]);
  });

  it('a Mistral stream broken by a malformed event is continued by prefix: true', async () => {
    const chain = createFallbackChain([{ pool: pools.mistral([MIS]), model: 'mistral-malformed' }]);
    const { screen, result } = await collect(chain.stream(ask()));
    expect(screen).toBe(FULL);
    expect(result.continued).toMatchObject([{ how: 'prefill' }]);
    const log = emu.requests.filter((entry) => entry.model === 'mistral-malformed');
    expect(log.map((entry) => entry.outcome)).toEqual(['malformed_chunk', 'ok']);
  });
});
