import { PoolExhaustedError, ProviderError } from '@keypool/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collect, fakePool, promptOf, settle } from '../test/fake-pools';
import { ChainExhaustedError } from './chain-exhausted-error';
import { createFallbackChain } from './fallback-chain';
import type { FallbackEvents } from './fallback-events';
import type { FallbackChatResult } from './fallback-result';

const request = { model: 'ignored', messages: [{ role: 'user' as const, content: 'hello' }] };

function threeSteps(options: Parameters<typeof createFallbackChain>[1] = {}) {
  const primary = fakePool('anthropic');
  const secondary = fakePool('openai');
  const tertiary = fakePool('gemini');
  const chain = createFallbackChain(
    [
      { pool: primary.pool, model: 'claude-x', name: 'claude' },
      { pool: secondary.pool, model: 'gpt-x', name: 'gpt' },
      { pool: tertiary.pool, model: 'gemini-x', name: 'gemini' },
    ],
    { breaker: false, ...options },
  );
  return { chain, primary, secondary, tertiary };
}

function record<K extends keyof FallbackEvents>(
  chain: ReturnType<typeof createFallbackChain>,
  name: K,
): FallbackEvents[K][] {
  const seen: FallbackEvents[K][] = [];
  chain.on(name, (event) => seen.push(event));
  return seen;
}

describe('FallbackChain.chat: the decision table', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves from the first step when it is healthy, and says who served', async () => {
    const { chain, primary, secondary } = threeSteps();
    primary.always({ type: 'ok', text: 'from claude' });
    const { value } = await settle(chain.chat(request));
    expect(value?.text).toBe('from claude');
    expect(value?.model).toBe('claude-x');
    expect(value?.served).toMatchObject({
      index: 0,
      name: 'claude',
      provider: 'anthropic',
      model: 'claude-x',
    });
    expect(value?.served.keyId).toBe('anthropic-1');
    expect(value?.served.maskedKey).toMatch(/^sk-.*\.\.\./);
    expect(value?.served.maskedKey).not.toBe(primary.secrets[0]);
    expect(value?.attempts).toEqual([
      expect.objectContaining({ step: 0, outcome: 'success', keyId: 'anthropic-1', provider: 'anthropic' }),
    ]);
    expect(secondary.calls()).toBe(0);
  });

  it('pool_exhausted (every key rate-limited): next step at once, with the pool estimate', async () => {
    const { chain, primary, secondary } = threeSteps();
    primary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 30_000 } });
    secondary.always({ type: 'ok', text: 'from gpt' });
    const steps = record(chain, 'fallback.step');
    const { value } = await settle(chain.chat(request));
    expect(value?.text).toBe('from gpt');
    expect(value?.served.index).toBe(1);
    expect(primary.calls()).toBe(2);
    expect(steps).toEqual([
      expect.objectContaining({
        from: expect.objectContaining({ index: 0 }),
        to: expect.objectContaining({ index: 1 }),
        reason: 'pool_exhausted',
        retryAfterMs: 30_000,
      }),
    ]);
    expect(value?.attempts.map((attempt) => [attempt.step, attempt.outcome, attempt.category])).toEqual([
      [0, 'failure', 'rate_limit'],
      [0, 'failure', 'rate_limit'],
      [1, 'success', undefined],
    ]);
  });

  it('pool_exhausted without any attempt is listed as an unavailable step', async () => {
    const { chain, primary, secondary } = threeSteps();
    primary.always({ type: 'error', category: 'quota_exhausted' });
    await settle(chain.chat(request));
    expect(primary.calls()).toBe(2);
    const { value } = await settle(chain.chat(request));
    expect(primary.calls()).toBe(2);
    expect(secondary.calls()).toBe(2);
    expect(value?.attempts.map((attempt) => [attempt.step, attempt.outcome])).toEqual([
      [0, 'unavailable'],
      [1, 'success'],
    ]);
  });

  it.each([
    ['quota_exhausted', 'pool_exhausted'],
    ['auth', 'pool_exhausted'],
  ] as const)('%s on every key: the pool is exhausted and the chain moves on', async (category, reason) => {
    const { chain, primary } = threeSteps();
    primary.always({ type: 'error', category });
    const steps = record(chain, 'fallback.step');
    const { value } = await settle(chain.chat(request));
    expect(value?.served.index).toBe(1);
    expect(steps[0]?.reason).toBe(reason);
  });

  it.each([
    ['overloaded', 2],
    ['server', 2],
    ['network', 2],
  ] as const)(
    '%s: the step retries within its budget (%i attempts), then the next step serves',
    async (category, attempts) => {
      const { chain, primary } = threeSteps();
      primary.always({ type: 'error', category });
      const steps = record(chain, 'fallback.step');
      const { value } = await settle(chain.chat(request));
      expect(value?.served.index).toBe(1);
      expect(primary.calls()).toBe(attempts);
      expect(steps[0]).toMatchObject({ reason: category, category });
    },
  );

  it('timeout: a silent route is not retried on the same step', async () => {
    const { chain, primary, secondary } = threeSteps({ attemptTimeoutMs: 2_000 });
    primary.always({ type: 'hang' });
    const started = Date.now();
    const steps = record(chain, 'fallback.step');
    const { value } = await settle(chain.chat(request));
    expect(value?.served.index).toBe(1);
    expect(primary.calls()).toBe(1);
    expect(secondary.adapter.calls[0]!.at - started).toBe(2_000);
    expect(steps[0]).toMatchObject({ reason: 'timeout' });
    expect(value?.attempts[0]).toMatchObject({ outcome: 'failure', category: 'timeout', durationMs: 2_000 });
  });

  it('model not found: moves on after one attempt', async () => {
    const { chain, primary } = threeSteps();
    primary.always({
      type: 'error',
      category: 'invalid_request',
      hints: { modelNotFound: true, status: 404 },
    });
    const steps = record(chain, 'fallback.step');
    const { value } = await settle(chain.chat(request));
    expect(value?.served.index).toBe(1);
    expect(primary.calls()).toBe(1);
    expect(steps[0]?.reason).toBe('model_not_found');
  });

  it('context_length with no larger step: ChainExhaustedError no_larger_context', async () => {
    const first = fakePool('anthropic');
    const second = fakePool('openai');
    first.always({ type: 'error', category: 'context_length' });
    const chain = createFallbackChain(
      [
        { pool: first.pool, model: 'a', contextWindow: 200_000 },
        { pool: second.pool, model: 'b', contextWindow: 128_000 },
      ],
      { breaker: false },
    );
    const { error } = await settle(chain.chat(request));
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    const exhausted = error as ChainExhaustedError;
    expect(exhausted.reason).toBe('no_larger_context');
    expect(exhausted.retryAfterMs).toBeUndefined();
    expect((exhausted.lastError as ProviderError).category).toBe('context_length');
    expect(second.calls()).toBe(0);
  });

  it('context_length on a step without a window: later steps must hold the estimated prompt', async () => {
    const first = fakePool('anthropic');
    const tooSmall = fakePool('openai');
    const bigEnough = fakePool('gemini');
    first.always({ type: 'error', category: 'context_length' });
    const chain = createFallbackChain(
      [
        { pool: first.pool, model: 'a' },
        { pool: tooSmall.pool, model: 'b', contextWindow: 1_000 },
        { pool: bigEnough.pool, model: 'c', contextWindow: 100_000 },
      ],
      { breaker: false },
    );
    const { value } = await settle(chain.chat({ ...request, messages: [promptOf(5_000)] }));
    expect(value?.served.model).toBe('c');
    expect(tooSmall.calls()).toBe(0);
  });

  it('content_filter: surfaces the provider reason and does not fall back', async () => {
    const { chain, primary, secondary } = threeSteps();
    primary.always({
      type: 'error',
      category: 'content_filter',
      hints: { filterReason: 'SAFETY: harassment', status: 400 },
    });
    const { error } = await settle(chain.chat(request));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).category).toBe('content_filter');
    expect((error as ProviderError).filterReason).toBe('SAFETY: harassment');
    expect(secondary.calls()).toBe(0);
  });

  it('content_filter falls back when configured', async () => {
    const { chain, primary } = threeSteps({ policy: { content_filter: 'next' } });
    primary.always({ type: 'error', category: 'content_filter', hints: { filterReason: 'blocked' } });
    const { value } = await settle(chain.chat(request));
    expect(value?.served.index).toBe(1);
  });

  it('invalid_request: stops at once and rethrows', async () => {
    const { chain, primary, secondary } = threeSteps();
    primary.always({ type: 'error', category: 'invalid_request', hints: { status: 400 } });
    const exhausted = record(chain, 'fallback.exhausted');
    const { error } = await settle(chain.chat(request));
    expect((error as ProviderError).category).toBe('invalid_request');
    expect(primary.calls()).toBe(1);
    expect(secondary.calls()).toBe(0);
    expect(exhausted).toHaveLength(0);
  });

  it('invalid_response: stops at once (the answer was billed), unless the policy says next', async () => {
    const { chain, primary, secondary } = threeSteps();
    primary.always({ type: 'error', category: 'invalid_response' });
    const { error } = await settle(chain.chat(request));
    expect((error as ProviderError).category).toBe('invalid_response');
    expect(primary.calls()).toBe(1);
    expect(secondary.calls()).toBe(0);
    const moving = threeSteps({ policy: { invalid_response: 'next' } });
    moving.primary.always({ type: 'error', category: 'invalid_response' });
    const { value } = await settle(moving.chain.chat(request));
    expect(value?.served.index).toBe(1);
  });

  it('aborted: the caller abort stops the chain at once, no fallback', async () => {
    const { chain, primary, secondary } = threeSteps();
    primary.always({ type: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const { error } = await settle(chain.chat({ ...request, signal: controller.signal }));
    expect((error as ProviderError).category).toBe('aborted');
    expect(secondary.calls()).toBe(0);
    const again = await settle(chain.chat({ ...request, signal: controller.signal }));
    expect((again.error as ProviderError).category).toBe('aborted');
    expect(primary.calls()).toBe(1);
  });

  it('a category the pool rethrows (rate_limit with a failing pool policy) also moves on', async () => {
    const primary = fakePool('anthropic', 2, { policy: { rate_limit: { request: 'fail' } } });
    const secondary = fakePool('openai');
    primary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 5_000 } });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a' },
        { pool: secondary.pool, model: 'b' },
      ],
      { breaker: false },
    );
    const steps = record(chain, 'fallback.step');
    const { value } = await settle(chain.chat(request));
    expect(value?.served.index).toBe(1);
    expect(steps[0]).toMatchObject({ reason: 'rate_limit', retryAfterMs: 5_000 });
  });

  it('the table is overridable: server errors can stop the chain', async () => {
    const { chain, primary, secondary } = threeSteps({ policy: { server: 'stop' } });
    primary.always({ type: 'error', category: 'server' });
    const { error } = await settle(chain.chat(request));
    expect((error as ProviderError).category).toBe('server');
    expect(secondary.calls()).toBe(0);
  });
});

describe('FallbackChain.chat: deadline, budgets, accounting, exhaustion', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('one total deadline: a hanging step gets only what is left, and the chain never waits past it', async () => {
    const { chain, primary, secondary } = threeSteps({ deadlineMs: 5_000 });
    primary.always({ type: 'hang' });
    const started = Date.now();
    const steps = record(chain, 'fallback.step');
    const { error } = await settle(chain.chat(request));
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    expect((error as ChainExhaustedError).reason).toBe('deadline');
    expect((error as ChainExhaustedError).steps).toHaveLength(1);
    expect(Date.now() - started).toBe(5_000);
    expect(secondary.calls()).toBe(0);
    expect(steps).toHaveLength(0);
  });

  it('each step gets what is left of the deadline as its own deadline', async () => {
    const { chain, primary, secondary, tertiary } = threeSteps({ deadlineMs: 5_000 });
    primary.always({ type: 'error', category: 'server', delayMs: 1_500 });
    secondary.always({ type: 'hang' });
    const started = Date.now();
    const { error } = await settle(chain.chat(request));
    expect((error as ChainExhaustedError).reason).toBe('deadline');
    // The primary used about 3 s (two attempts and a retry delay), the secondary the 2 s that were left.
    expect(primary.calls()).toBe(2);
    expect(secondary.calls()).toBe(1);
    expect(tertiary.calls()).toBe(0);
    expect(Date.now() - started).toBeLessThanOrEqual(5_050);
  });

  it('a step deadline caps the step, the rest of the chain deadline goes on', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    primary.always({ type: 'hang' });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a', deadlineMs: 1_000 },
        { pool: secondary.pool, model: 'b' },
      ],
      { breaker: false, deadlineMs: 10_000 },
    );
    const started = Date.now();
    const { value } = await settle(chain.chat(request));
    expect(value?.served.index).toBe(1);
    expect(secondary.adapter.calls[0]!.at - started).toBe(1_000);
  });

  it('per-step attempt budgets: maxAttempts is passed to the pool', async () => {
    const primary = fakePool('anthropic', 5);
    const secondary = fakePool('openai');
    primary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 60_000 } });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a', maxAttempts: 2 },
        { pool: secondary.pool, model: 'b', maxAttempts: 1 },
      ],
      { breaker: false },
    );
    const { value } = await settle(chain.chat(request));
    expect(primary.calls()).toBe(2);
    expect(value?.served.index).toBe(1);
  });

  it('step model options replace the request model and options', async () => {
    const primary = fakePool('anthropic');
    const seen: unknown[] = [];
    const chat = primary.adapter.chat.bind(primary.adapter);
    primary.adapter.chat = async (client, req, context) => {
      seen.push({ model: req.model, maxTokens: req.maxTokens, temperature: req.temperature });
      return chat(client, req, context);
    };
    const chain = createFallbackChain(
      [{ pool: primary.pool, model: 'claude-x', maxTokens: 64, temperature: null }],
      { breaker: false },
    );
    await settle(chain.chat({ ...request, maxTokens: 1_000, temperature: 0.3 }));
    expect(seen).toEqual([{ model: 'claude-x', maxTokens: 64, temperature: undefined }]);
  });

  it('accounting: usage is the serving attempt only; attempts name each key and duration', async () => {
    const { chain, primary, secondary } = threeSteps();
    primary.always({ type: 'error', category: 'server', delayMs: 100 });
    secondary.always({ type: 'ok', text: 'twelve chars', delayMs: 40 });
    const served = record(chain, 'fallback.served');
    const { value } = await settle(chain.chat(request));
    const result = value as FallbackChatResult;
    expect(result.usage).toEqual({ inputTokens: 1, outputTokens: 12, totalTokens: 13 });
    expect(result.provider).toBe('openai');
    expect(result.keyId).toBe('openai-1');
    expect(result.attempts).toEqual([
      expect.objectContaining({ step: 0, keyId: 'anthropic-1', category: 'server', durationMs: 100 }),
      expect.objectContaining({ step: 0, keyId: 'anthropic-2', category: 'server', durationMs: 100 }),
      expect.objectContaining({ step: 1, keyId: 'openai-1', outcome: 'success', durationMs: 40 }),
    ]);
    expect(served).toEqual([
      expect.objectContaining({ attempts: 3, usage: result.usage, stream: false, keyId: 'openai-1' }),
    ]);
    expect(JSON.stringify(result)).not.toContain(secondary.secrets[0]);
  });

  it('concurrent calls on one pool: each lists only its own attempts and its own serving key', async () => {
    const { chain, primary } = threeSteps();
    primary.adapter.script(
      primary.secrets[0]!,
      { type: 'error', category: 'server', delayMs: 100 },
      { type: 'ok', text: 'a' },
    );
    primary.adapter.always(primary.secrets[0]!, { type: 'ok', text: 'a' });
    primary.adapter.always(primary.secrets[1]!, { type: 'stream', chunks: ['b'], chunkDelayMs: 30 });
    const first = chain.chat(request);
    const second = collect(chain.stream(request));
    const { value } = await settle(first);
    const last = (await second).events.at(-1);
    const streamed = last?.type === 'done' ? last.result : undefined;
    expect(value?.attempts).toEqual([
      expect.objectContaining({ step: 0, keyId: 'anthropic-1', outcome: 'failure', category: 'server' }),
      expect.objectContaining({ step: 0, keyId: value?.served.keyId, outcome: 'success' }),
    ]);
    expect(value?.attempts[1]?.maskedKey).toBe(value?.served.maskedKey);
    expect(streamed?.attempts).toEqual([
      expect.objectContaining({ step: 0, keyId: 'anthropic-2', outcome: 'success' }),
    ]);
    expect(streamed?.attempts[0]?.maskedKey).toBe(streamed?.served.maskedKey);
    expect(streamed?.served).toMatchObject({
      keyId: 'anthropic-2',
      maskedKey: expect.stringMatching(/\.\.\./),
    });
  });

  it('ChainExhaustedError: each step last error and the earliest time any step is usable again', async () => {
    const { chain, primary, secondary, tertiary } = threeSteps();
    primary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 30_000 } });
    secondary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 12_000 } });
    tertiary.always({ type: 'error', category: 'overloaded' });
    const exhaustedEvents = record(chain, 'fallback.exhausted');
    const { error } = await settle(chain.chat(request));
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    const exhausted = error as ChainExhaustedError;
    expect(exhausted.code).toBe('chain_exhausted');
    expect(exhausted.reason).toBe('steps_exhausted');
    expect(exhausted.retryAfterMs).toBe(12_000);
    expect(exhausted.steps.map((step) => step.retryAfterMs)).toEqual([30_000, 12_000, undefined]);
    expect(PoolExhaustedError.isInstance(exhausted.errors[0])).toBe(true);
    expect((exhausted.lastError as ProviderError).category).toBe('overloaded');
    expect(exhausted.cause).toBe(exhausted.lastError);
    expect(exhausted.attempts).toHaveLength(6);
    expect(exhaustedEvents).toEqual([
      expect.objectContaining({ reason: 'steps_exhausted', retryAfterMs: 12_000 }),
    ]);
    const json = JSON.stringify(exhausted);
    for (const secret of [...primary.secrets, ...secondary.secrets]) expect(json).not.toContain(secret);
  });

  it('validates its configuration', () => {
    const { pool } = fakePool('openai');
    expect(() => createFallbackChain([])).toThrow(/at least one step/);
    expect(() => createFallbackChain([{ pool, model: '' }])).toThrow(/steps\[0\]\.model/);
    expect(() => createFallbackChain([{ pool, model: 'm', contextWindow: -1 }])).toThrow(/contextWindow/);
    expect(() =>
      createFallbackChain([{ pool, model: 'm' }], { deadlineMs: Number.POSITIVE_INFINITY }),
    ).toThrow(/deadlineMs/);
    expect(() => createFallbackChain([{ pool, model: 'm' }], { policy: { aborted: 'next' } })).toThrow(
      /aborted/,
    );
  });
});
