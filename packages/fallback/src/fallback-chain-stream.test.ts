import { type ProviderError, StreamInterruptedError } from '@keypool/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collect, fakePool, settle } from '../test/fake-pools';
import { ChainExhaustedError } from './chain-exhausted-error';
import { createFallbackChain, type FallbackChainOptions } from './fallback-chain';
import type { FallbackEvents } from './fallback-events';
import type { FallbackStreamEvent } from './fallback-result';

const request = { model: 'ignored', messages: [{ role: 'user' as const, content: 'hello' }] };

function twoSteps(options: FallbackChainOptions = {}) {
  const primary = fakePool('anthropic');
  const secondary = fakePool('openai');
  const chain = createFallbackChain(
    [
      { pool: primary.pool, model: 'claude-x', maxAttempts: 1 },
      { pool: secondary.pool, model: 'gpt-x' },
    ],
    { breaker: false, ...options },
  );
  return { chain, primary, secondary };
}

function textOf(events: FallbackStreamEvent[]): string {
  return events.map((event) => (event.type === 'delta' ? event.text : '')).join('');
}

function doneOf(events: FallbackStreamEvent[]) {
  const last = events.at(-1);
  return last?.type === 'done' ? last.result : undefined;
}

describe('FallbackChain.stream', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('streams deltas as they arrive, then one done naming the serving step', async () => {
    const { chain, primary } = twoSteps();
    primary.always({ type: 'stream', chunks: ['Hel', 'lo', '!'], chunkDelayMs: 10 });
    const served: FallbackEvents['fallback.served'][] = [];
    chain.on('fallback.served', (event) => served.push(event));
    const { events, error } = await collect(chain.stream(request));
    expect(error).toBeUndefined();
    expect(events.map((event) => event.type)).toEqual(['delta', 'delta', 'delta', 'done']);
    expect(doneOf(events)).toMatchObject({
      text: 'Hello!',
      finishReason: 'stop',
      served: { index: 0, provider: 'anthropic', model: 'claude-x', keyId: 'anthropic-1' },
    });
    expect(doneOf(events)?.served.maskedKey).toMatch(/\.\.\./);
    expect(served).toEqual([expect.objectContaining({ stream: true, attempts: 1 })]);
  });

  it('fails over before the first chunk: the caller only sees the fallback answer', async () => {
    const { chain, primary, secondary } = twoSteps();
    primary.always({ type: 'error', category: 'overloaded' });
    secondary.always({ type: 'stream', chunks: ['from ', 'gpt'] });
    const { events } = await collect(chain.stream(request));
    expect(textOf(events)).toBe('from gpt');
    expect(doneOf(events)?.served.index).toBe(1);
    expect(doneOf(events)?.usage.totalTokens).toBe(9);
    expect(
      doneOf(events)?.attempts.map((attempt) => [attempt.step, attempt.outcome, attempt.category]),
    ).toEqual([
      [0, 'failure', 'overloaded'],
      [1, 'success', undefined],
    ]);
  });

  it('time to first token: a step silent past firstChunkTimeoutMs is left for the next, once', async () => {
    const { chain, primary, secondary } = twoSteps({ firstChunkTimeoutMs: 1_500 });
    primary.always({ type: 'hang' });
    secondary.always({ type: 'stream', chunks: ['quick'] });
    const started = Date.now();
    const { events } = await collect(chain.stream(request));
    expect(doneOf(events)?.served.index).toBe(1);
    expect(primary.calls()).toBe(1);
    expect(secondary.adapter.calls[0]!.at - started).toBe(1_500);
    expect(doneOf(events)?.attempts[0]).toMatchObject({ category: 'timeout', durationMs: 1_500 });
  });

  it("onInterrupt 'fail', after the first chunk: a StreamInterruptedError with the partial text, no fallback", async () => {
    const { chain, primary, secondary } = twoSteps({ onInterrupt: 'fail' });
    primary.always({ type: 'stream', chunks: ['he', 'llo', ' there'], failAfter: 2 });
    const steps: unknown[] = [];
    chain.on('fallback.step', (event) => steps.push(event));
    const { events, error } = await collect(chain.stream(request));
    expect(events.map((event) => (event.type === 'delta' ? event.text : event.type))).toEqual(['he', 'llo']);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('hello');
    expect(secondary.calls()).toBe(0);
    expect(steps).toHaveLength(0);
  });

  it("onInterrupt 'fail': a stream that stalls longer than idleTimeoutMs is interrupted", async () => {
    const { chain, primary } = twoSteps({ idleTimeoutMs: 1_000, onInterrupt: 'fail' });
    primary.always({ type: 'stream', chunks: ['a', 'b', 'c'], chunkDelayMs: 2_000 });
    const started = Date.now();
    const { events, error } = await collect(chain.stream(request));
    expect(textOf(events)).toBe('a');
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).interruptedBy).toBe('timeout');
    expect(Date.now() - started).toBe(3_000);
  });

  it('a stream without its terminator is never reported as a success', async () => {
    const { chain, primary } = twoSteps();
    primary.always({ type: 'stream', chunks: ['all', ' but', ' the end'], noTerminator: true });
    const { events, error } = await collect(chain.stream(request));
    expect(events.some((event) => event.type === 'done')).toBe(false);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('all but the end');
  });

  it('restartOnInterrupt: deltas are held until the step ends properly; an interruption restarts on the next step', async () => {
    const { chain, primary, secondary } = twoSteps({ restartOnInterrupt: true });
    primary.always({ type: 'stream', chunks: ['half', ' an', ' answer'], failAfter: 2 });
    secondary.always({ type: 'stream', chunks: ['a whole', ' answer'] });
    const steps: FallbackEvents['fallback.step'][] = [];
    chain.on('fallback.step', (event) => steps.push(event));
    const { events, error } = await collect(chain.stream(request));
    expect(error).toBeUndefined();
    expect(events.map((event) => (event.type === 'delta' ? event.text : event.type))).toEqual([
      'a whole',
      ' answer',
      'done',
    ]);
    expect(doneOf(events)?.served.index).toBe(1);
    expect(steps).toEqual([expect.objectContaining({ reason: 'stream_interrupted' })]);
  });

  it('restartOnInterrupt: a stall is restarted on the next step too', async () => {
    const { chain, primary, secondary } = twoSteps({ restartOnInterrupt: true, idleTimeoutMs: 500 });
    primary.always({ type: 'stream', chunks: ['a', 'b'], chunkDelayMs: 1_000 });
    secondary.always({ type: 'stream', chunks: ['fresh'] });
    const { events } = await collect(chain.stream(request));
    expect(textOf(events)).toBe('fresh');
  });

  it('the caller abort stops the stream without fallback', async () => {
    const { chain, primary, secondary } = twoSteps();
    primary.always({ type: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { error } = await collect(chain.stream({ ...request, signal: controller.signal }));
    expect((error as ProviderError).category).toBe('aborted');
    expect(secondary.calls()).toBe(0);
  });

  it('a consumer that stops early releases a half-open probe', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    primary.adapter.script(primary.secrets[0]!, { type: 'error', category: 'server' });
    primary.always({ type: 'stream', chunks: ['one', 'two', 'three'], chunkDelayMs: 10 });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a', maxAttempts: 1 },
        { pool: secondary.pool, model: 'b' },
      ],
      { breaker: { threshold: 1, breakMs: 1_000 } },
    );
    await settle(chain.chat(request));
    await vi.advanceTimersByTimeAsync(1_000);
    const consume = (async () => {
      for await (const event of chain.stream(request)) {
        if (event.type === 'delta') break;
      }
    })();
    await settle(consume);
    expect(chain.status()[0]?.breaker).toBe('open');
    const { events } = await collect(chain.stream(request));
    expect(doneOf(events)?.served.index).toBe(0);
    expect(chain.status()[0]?.breaker).toBe('closed');
  });

  it('no step can stream: ChainExhaustedError', async () => {
    const { chain, primary, secondary } = twoSteps();
    primary.always({ type: 'error', category: 'server' });
    secondary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 4_000 } });
    const { error } = await collect(chain.stream(request));
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    expect((error as ChainExhaustedError).retryAfterMs).toBe(4_000);
  });
});

describe('FallbackChain.stream: continuation (default onInterrupt continue)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a break after output goes on in the next step that can serve, announced by a restart event', async () => {
    const { chain, primary, secondary } = twoSteps();
    const [first] = primary.secrets;
    primary.adapter.script(first!, { type: 'stream', chunks: ['he', 'llo', ' there'], failAfter: 2 });
    // After the break the primary is overloaded: the continuation moves on to the next step.
    primary.always({ type: 'error', category: 'overloaded' });
    secondary.always({ type: 'stream', chunks: ['hello', ' there', ' friend'] });
    const { events, error } = await collect(chain.stream(request));
    expect(error).toBeUndefined();
    const shape = events.map((event) => (event.type === 'delta' ? event.text : event.type));
    expect(shape).toEqual(['he', 'llo', 'restart', 'hello', ' there', ' friend', 'done']);
    expect(events[2]).toMatchObject({ type: 'restart', reason: 'server', discardedText: 'hello' });
    const result = doneOf(events);
    expect(result?.text).toBe('hello there friend');
    expect(result?.continued).toEqual([
      {
        at: 5,
        from: { provider: 'anthropic', model: 'claude-x', step: 'anthropic:claude-x', keyId: 'anthropic-1' },
        to: { provider: 'openai', model: 'gpt-x', step: 'openai:gpt-x', keyId: result?.keyId },
        how: 'restart',
        reason: 'server',
      },
    ]);
    expect(result?.served.provider).toBe('openai');
  });

  it('gives up with StreamInterruptedError (the whole shown text) when no step can go on', async () => {
    const { chain, primary, secondary } = twoSteps();
    const [first] = primary.secrets;
    primary.adapter.script(first!, { type: 'stream', chunks: ['he', 'llo', ' there'], failAfter: 2 });
    primary.always({ type: 'error', category: 'overloaded' });
    secondary.always({ type: 'error', category: 'overloaded' });
    const { events, error } = await collect(chain.stream(request));
    expect(textOf(events)).toBe('hello');
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('hello');
  });

  it('rejects an unknown onInterrupt with a ConfigError naming the option', () => {
    expect(() => twoSteps({ onInterrupt: 'retry' as never })).toThrow(/onInterrupt/);
  });
});

describe('FallbackChain.stream: continuation events', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('emits stream.interrupted and stream.continued on the chain, and calls the onEvent option', async () => {
    const seen: string[] = [];
    const { chain, primary, secondary } = twoSteps({
      continuation: { onEvent: (event) => seen.push(`option ${event.type}`) },
    });
    chain.on('stream.interrupted', (event) => seen.push(`chain stream.interrupted at ${event.at}`));
    chain.on('stream.continued', (event) =>
      seen.push(`chain stream.continued ${event.how} at ${event.at} ${event.fromKeyId}->${event.toKeyId}`),
    );
    const [first] = primary.secrets;
    primary.adapter.script(first!, { type: 'stream', chunks: ['he', 'llo', ' there'], failAfter: 2 });
    primary.always({ type: 'error', category: 'overloaded' });
    secondary.always({ type: 'stream', chunks: ['hello there'] });
    const { error } = await collect(chain.stream(request));
    expect(error).toBeUndefined();
    expect(seen).toEqual([
      'chain stream.interrupted at 5',
      'option stream.interrupted',
      'chain stream.continued restart at 5 anthropic-1->openai-1',
      'option stream.continued',
    ]);
  });
});
