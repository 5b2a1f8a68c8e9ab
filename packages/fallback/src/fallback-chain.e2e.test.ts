import { PoolExhaustedError, ProviderError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorPools, pause, traffic } from '../test/emulator-pools';
import { ChainExhaustedError } from './chain-exhausted-error';
import { createFallbackChain } from './fallback-chain';
import type { FallbackEvents } from './fallback-events';

// End to end: the real SDKs, through the four provider packages, against the emulator on 127.0.0.1.
const WINDOW_MS = 1_000;
const ANT = 'sk-ant-e2e-chain-healthy-000000000001';
const ANT_LIMITED = 'sk-ant-e2e-chain-rpm-one-000000000002';
const OAI = 'sk-e2e-chain-openai-healthy-0000000003';
const OAI_QUOTA = 'sk-e2e-chain-openai-no-quota-00000004';
const GEM = 'AIzaE2eChainGeminiHealthy000000000005';
const MIS = 'mis-e2e-chain-mistral-healthy-0000006';
const OAI_PER_MODEL = 'sk-e2e-chain-openai-per-model-000007';

const ask = (content = 'hello chain') => ({
  model: 'replaced',
  maxTokens: 32,
  messages: [{ role: 'user' as const, content }],
});

let emu: Emulator;
let pools: ReturnType<typeof emulatorPools>;

beforeAll(async () => {
  emu = await startEmulator({
    windowMs: WINDOW_MS,
    logRawKeys: true,
    keys: {
      [ANT]: {},
      [ANT_LIMITED]: { rpm: 1 },
      [OAI]: {},
      [OAI_QUOTA]: { quotaExhausted: true },
      [GEM]: {},
      [MIS]: {},
      // One request per window per model, as OpenAI limits each model of a key separately.
      [OAI_PER_MODEL]: { rpm: 1, windowScope: 'model', rateLimitHeaders: false },
    },
    models: {
      'claude-500-once': { serverErrorOnce: true },
      'claude-503': { overloaded: true },
      'claude-reset': { resetBeforeHeaders: true },
      'claude-silent': { noResponse: true },
      'claude-gone': { notFound: true },
      'claude-small': { contextWindow: 40 },
      'gpt-smaller': { contextWindow: 30 },
      'gemini-large': { contextWindow: 100_000 },
      'claude-filtered': { contentFilter: true },
      'gemini-filtered': { contentFilter: true },
      'claude-flapping': { outage: { downMs: 1_200 } },
      // Real model names (the built-in context-window table knows them); the emulator makes the first one small.
      'gpt-4o': { contextWindow: 30 },
    },
  });
  pools = emulatorPools(emu, WINDOW_MS);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('fallback chain end to end (real SDKs, emulator)', () => {
  it('429 with retry-after on the primary: the fallback serves, the primary rests for the hint, then serves again', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT_LIMITED]), model: 'claude-ok', name: 'claude' },
      { pool: pools.openai([OAI]), model: 'gpt-ok', name: 'gpt' },
    ]);
    // Another process spends the key's one request of this window: the chain's pool does not know, so its request
    // gets the 429 with retry-after, and the pool is exhausted with that estimate.
    await pools.anthropic([ANT_LIMITED]).chat({ ...ask(), model: 'claude-ok' });
    const steps: FallbackEvents['fallback.step'][] = [];
    chain.on('fallback.step', (event) => steps.push(event));
    const second = await chain.chat(ask());
    expect(second.served.name).toBe('gpt');
    expect(second.text).toBe('Echo: hello chain');
    expect(steps[0]).toMatchObject({ reason: 'pool_exhausted' });
    const hint = steps[0]!.retryAfterMs!;
    expect(hint).toBeGreaterThan(0);
    expect(hint).toBeLessThanOrEqual(WINDOW_MS);
    // The breaker opened for the hint: a call now never touches the primary.
    expect(second.attempts[0]).toMatchObject({ step: 0, outcome: 'failure', category: 'rate_limit' });
    const third = await chain.chat(ask());
    expect(third.served.name).toBe('gpt');
    expect(third.attempts[0]).toMatchObject({ step: 0, outcome: 'skipped', reason: 'breaker_open' });
    await pause(hint + 50);
    const fourth = await chain.chat(ask());
    expect(fourth.served.name).toBe('claude');

    const primary = emu.requestsFor(ANT_LIMITED);
    expect(primary.map((entry) => entry.outcome)).toEqual(['ok', 'rate_limited', 'ok']);
    expect(primary[2]!.time - primary[1]!.time).toBeGreaterThanOrEqual(hint - 5);
    expect(emu.requestsFor(OAI).map((entry) => entry.outcome)).toEqual(['ok', 'ok']);
  });

  it('persistent 429 without retry-after (quota spent): one request to the primary, then the fallback serves', async () => {
    const chain = createFallbackChain([
      { pool: pools.openai([OAI_QUOTA]), model: 'gpt-ok' },
      { pool: pools.anthropic([ANT]), model: 'claude-ok' },
    ]);
    const first = await chain.chat(ask());
    const second = await chain.chat(ask());
    expect([first.served.provider, second.served.provider]).toEqual(['anthropic', 'anthropic']);
    expect(first.attempts.map((attempt) => [attempt.provider, attempt.outcome, attempt.category])).toEqual([
      ['openai', 'failure', 'quota_exhausted'],
      ['anthropic', 'success', undefined],
    ]);
    // The spent key is cooling for the quota's long cooldown: the second call does not ask it again.
    expect(second.attempts[0]!.outcome).not.toBe('failure');
    expect(emu.requestsFor(OAI_QUOTA).map((entry) => entry.outcome)).toEqual(['quota_exhausted']);
    expect(emu.requestsFor(ANT)).toHaveLength(2);
  });

  it('500 once: the step retries within its own budget and serves; the fallback is never asked', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-500-once' },
      { pool: pools.openai([OAI]), model: 'gpt-ok' },
    ]);
    const result = await chain.chat(ask());
    expect(result.served.index).toBe(0);
    expect(result.attempts.map((attempt) => [attempt.outcome, attempt.category])).toEqual([
      ['failure', 'server'],
      ['success', undefined],
    ]);
    const primary = traffic(emu, 'claude-500-once');
    expect(primary.outcomes).toEqual(['server_error', 'ok']);
    // The pool's retry waits 20-40 ms: never an immediate second request.
    expect(primary.times[1]! - primary.times[0]!).toBeGreaterThanOrEqual(15);
    expect(emu.requestsFor(OAI)).toHaveLength(0);
  });

  it('503 persistent: one retry on the primary, then the next provider serves', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-503' },
      { pool: pools.gemini([GEM]), model: 'gemini-ok' },
    ]);
    const result = await chain.chat(ask());
    expect(result.served).toMatchObject({ index: 1, provider: 'gemini', model: 'gemini-ok' });
    const primary = traffic(emu, 'claude-503');
    expect(primary.outcomes).toEqual(['overloaded', 'overloaded']);
    expect(primary.times[1]! - primary.times[0]!).toBeGreaterThanOrEqual(15);
    const fallback = traffic(emu, 'gemini-ok');
    expect(fallback.outcomes).toEqual(['ok']);
    expect(fallback.times[0]!).toBeGreaterThanOrEqual(primary.times[1]!);
  });

  it('connection reset before headers: a network failure, retried once, then the fallback serves', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-reset' },
      { pool: pools.mistral([MIS]), model: 'mistral-ok' },
    ]);
    const result = await chain.chat(ask());
    expect(result.served.provider).toBe('mistral');
    expect(result.attempts.slice(0, 2).map((attempt) => attempt.category)).toEqual(['network', 'network']);
    expect(traffic(emu, 'claude-reset').outcomes).toEqual(['reset', 'reset']);
    expect(traffic(emu, 'mistral-ok').outcomes).toEqual(['ok']);
  });

  it('no response: the attempt times out once (a silent route is not retried) and the fallback serves', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-silent', attemptTimeoutMs: 300 },
      { pool: pools.openai([OAI]), model: 'gpt-ok' },
    ]);
    const started = Date.now();
    const result = await chain.chat(ask());
    expect(result.served.index).toBe(1);
    expect(result.attempts[0]).toMatchObject({ category: 'timeout' });
    expect(result.attempts[0]!.durationMs).toBeGreaterThanOrEqual(250);
    const primary = traffic(emu, 'claude-silent');
    expect(primary.outcomes).toHaveLength(1);
    // The emulator runs in this process (same clock): the fallback was asked only once the attempt had timed out.
    const fallbackAt = traffic(emu, 'gpt-ok').times[0]!;
    expect(fallbackAt - started).toBeGreaterThanOrEqual(295);
    expect(fallbackAt).toBeGreaterThanOrEqual(primary.times[0]!);
    expect(fallbackAt - started).toBeLessThan(2_500);
  });

  it('no attempt timeout set: a silent route is left at the first-byte limit, and the fallback serves', async () => {
    // A non-stream answer has no first byte before it is whole: `pool.chat` is held to `firstByteTimeoutMs` unless an
    // attempt timeout is set, so a route that never answers does not eat the whole deadline.
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT], { firstByteTimeoutMs: 300 }), model: 'claude-silent' },
      { pool: pools.openai([OAI]), model: 'gpt-ok' },
    ]);
    const started = Date.now();
    const result = await chain.chat(ask());
    expect(result.served.index).toBe(1);
    expect(result.attempts[0]).toMatchObject({ category: 'timeout' });
    expect(traffic(emu, 'claude-silent').outcomes).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('one key, two models: a 429 on gpt-4o is rescued by the gpt-4o-mini step on the same key', async () => {
    const pool = pools.openai([OAI_PER_MODEL]);
    const chain = createFallbackChain([
      { pool, model: 'gpt-limited', name: 'big' },
      { pool, model: 'gpt-ok', name: 'mini' },
    ]);
    expect((await chain.chat(ask())).served.name).toBe('big');
    // The big model's window is spent; the same key still serves the other model (its own window).
    const rescued = await chain.chat(ask());
    expect(rescued.served).toMatchObject({ name: 'mini', keyId: rescued.attempts[0]?.keyId });
    expect(rescued.attempts.map((attempt) => [attempt.step, attempt.outcome, attempt.category])).toEqual([
      [0, 'failure', 'rate_limit'],
      [1, 'success', undefined],
    ]);
    expect(traffic(emu, 'gpt-limited').outcomes).toEqual(['ok', 'rate_limited']);
  });

  it('model not found: moves on after one request', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-gone' },
      { pool: pools.openai([OAI]), model: 'gpt-ok' },
    ]);
    const steps: FallbackEvents['fallback.step'][] = [];
    chain.on('fallback.step', (event) => steps.push(event));
    const result = await chain.chat(ask());
    expect(result.served.index).toBe(1);
    expect(steps[0]?.reason).toBe('model_not_found');
    expect(traffic(emu, 'claude-gone').outcomes).toEqual(['not_found']);
  });

  it('context length: skips a smaller window and is served by the larger one', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-small', contextWindow: 40 },
      { pool: pools.openai([OAI]), model: 'gpt-smaller', contextWindow: 30 },
      { pool: pools.gemini([GEM]), model: 'gemini-large', contextWindow: 100_000 },
    ]);
    const long = ask('a long question '.repeat(20));
    const result = await chain.chat(long);
    expect(result.served.model).toBe('gemini-large');
    expect(
      result.attempts.map((attempt) => [attempt.step, attempt.outcome, attempt.category ?? attempt.reason]),
    ).toEqual([
      [0, 'failure', 'context_length'],
      [1, 'skipped', 'context_length'],
      [2, 'success', undefined],
    ]);
    expect(traffic(emu, 'claude-small').outcomes).toEqual(['context_length']);
    expect(traffic(emu, 'gpt-smaller').outcomes).toEqual([]);
    expect(traffic(emu, 'gemini-large').outcomes).toEqual(['ok']);
  });

  it('context length with no window configured: the built-in table skips a same-size step for a larger one', async () => {
    const chain = createFallbackChain([
      { pool: pools.openai([OAI]), model: 'gpt-4o' },
      { pool: pools.openai([OAI]), model: 'gpt-4o-mini' },
      { pool: pools.gemini([GEM]), model: 'gemini-2.5-pro' },
    ]);
    const result = await chain.chat(ask('a long question '.repeat(20)));
    // gpt-4o answered context_length; gpt-4o-mini has the same 128k window in the table, Gemini 2.5 Pro a larger one.
    expect(result.served.model).toBe('gemini-2.5-pro');
    expect(result.attempts.map((attempt) => [attempt.step, attempt.outcome])).toEqual([
      [0, 'failure'],
      [1, 'skipped'],
      [2, 'success'],
    ]);
    expect(traffic(emu, 'gpt-4o').outcomes).toEqual(['context_length']);
    expect(traffic(emu, 'gpt-4o-mini').outcomes).toEqual([]);
  });

  it('context length without a larger step: ChainExhaustedError, nothing sent to the smaller step', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-small', contextWindow: 40 },
      { pool: pools.openai([OAI]), model: 'gpt-smaller', contextWindow: 30 },
    ]);
    const error = await chain.chat(ask('a long question '.repeat(20))).catch((caught: unknown) => caught);
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    expect((error as ChainExhaustedError).reason).toBe('no_larger_context');
    expect(((error as ChainExhaustedError).lastError as ProviderError).category).toBe('context_length');
    expect(traffic(emu, 'claude-small').outcomes).toEqual(['context_length']);
    expect(traffic(emu, 'gpt-smaller').outcomes).toEqual([]);
  });

  it('content filter: the provider reason reaches the caller, no fallback', async () => {
    const chain = createFallbackChain([
      { pool: pools.gemini([GEM]), model: 'gemini-filtered' },
      { pool: pools.openai([OAI]), model: 'gpt-ok' },
    ]);
    const error = await chain.chat(ask()).catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).category).toBe('content_filter');
    expect((error as ProviderError).filterReason).toMatch(/SAFETY|blocked/i);
    expect(traffic(emu, 'gemini-filtered').outcomes).toEqual(['content_filter']);
    expect(emu.requestsFor(OAI)).toHaveLength(0);
  });

  it('content filter falls back when the table says so', async () => {
    const chain = createFallbackChain(
      [
        { pool: pools.anthropic([ANT]), model: 'claude-filtered' },
        { pool: pools.openai([OAI]), model: 'gpt-ok' },
      ],
      { policy: { content_filter: 'next' } },
    );
    const result = await chain.chat(ask());
    expect(result.served.index).toBe(1);
    expect(result.attempts[0]!.category).toBe('content_filter');
  });

  it('a primary down for a while: the fallback serves meanwhile, the primary serves again after recovery', async () => {
    const chain = createFallbackChain(
      [
        { pool: pools.anthropic([ANT]), model: 'claude-flapping', name: 'claude', maxAttempts: 1 },
        { pool: pools.openai([OAI]), model: 'gpt-ok', name: 'gpt' },
      ],
      { breaker: { threshold: 1, breakMs: 400 } },
    );
    const transitions: string[] = [];
    chain.onAny((event) => {
      if (event.type.startsWith('breaker.')) transitions.push(event.type);
    });
    const servedBy: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 2_400) {
      servedBy.push((await chain.chat(ask())).served.name);
      await pause(100);
    }
    // Down: the fallback serves; back up: the primary serves again (and keeps serving).
    expect(servedBy[0]).toBe('gpt');
    expect(servedBy.at(-1)).toBe('claude');
    expect(servedBy.slice(servedBy.indexOf('claude'))).not.toContain('gpt');
    expect(transitions).toContain('breaker.open');
    expect(transitions.at(-1)).toBe('breaker.close');

    const primary = traffic(emu, 'claude-flapping');
    const failures = primary.outcomes.filter((outcome) => outcome === 'overloaded').length;
    // With the breaker, the primary sees one probe per break instead of one request per call.
    expect(failures).toBeLessThanOrEqual(Math.ceil(1_200 / 400) + 1);
    expect(failures).toBeLessThan(servedBy.filter((name) => name === 'gpt').length + 1);
    for (let index = 1; index <= failures; index++) {
      expect(primary.times[index]! - primary.times[index - 1]!).toBeGreaterThanOrEqual(395);
    }
    expect(primary.outcomes.at(-1)).toBe('ok');
  });

  it('accounting: the result names the fallback model and counts only its usage', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-503', name: 'claude' },
      { pool: pools.gemini([GEM]), model: 'gemini-ok', name: 'gemini' },
    ]);
    const served: FallbackEvents['fallback.served'][] = [];
    chain.on('fallback.served', (event) => served.push(event));
    const result = await chain.chat(ask());
    const [entry] = traffic(emu, 'gemini-ok').outcomes.length === 1 ? emu.requestsFor(GEM) : [];
    expect(entry).toBeDefined();
    expect(result.provider).toBe('gemini');
    expect(result.served).toMatchObject({
      name: 'gemini',
      provider: 'gemini',
      model: 'gemini-ok',
      keyId: 'gem-1',
    });
    expect(result.served.maskedKey).toBe(entry!.keyMasked);
    expect(result.usage).toEqual({
      inputTokens: entry!.promptTokens,
      outputTokens: entry!.completionTokens,
      totalTokens: entry!.promptTokens + entry!.completionTokens,
    });
    expect(result.attempts.map((attempt) => [attempt.name, attempt.keyId, attempt.outcome])).toEqual([
      ['claude', 'ant-1', 'failure'],
      ['claude', 'ant-1', 'failure'],
      ['gemini', 'gem-1', 'success'],
    ]);
    expect(served[0]).toMatchObject({ attempts: 3, usage: result.usage });
    const json = JSON.stringify(result);
    for (const secret of [ANT, GEM]) expect(json).not.toContain(secret);
  });

  it('every step spent: ChainExhaustedError with each step error and the earliest retry estimate', async () => {
    const chain = createFallbackChain(
      [
        { pool: pools.openai([OAI_QUOTA]), model: 'gpt-ok' },
        { pool: pools.anthropic([ANT_LIMITED]), model: 'claude-ok' },
      ],
      { waitInPlaceMs: 0 },
    );
    await pools.anthropic([ANT_LIMITED]).chat({ ...ask(), model: 'claude-ok' });
    const error = await chain.chat(ask()).catch((caught: unknown) => caught);
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    const exhausted = error as ChainExhaustedError;
    expect(exhausted.errors.every((step) => PoolExhaustedError.isInstance(step))).toBe(true);
    expect(exhausted.retryAfterMs).toBeGreaterThan(0);
    expect(exhausted.retryAfterMs).toBeLessThanOrEqual(WINDOW_MS);
    expect(emu.requestsFor(ANT_LIMITED).map((entry) => entry.outcome)).toEqual(['ok', 'rate_limited']);
  });
});
