import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakePool, settle } from '../test/fake-pools';
import { ChainExhaustedError } from './chain-exhausted-error';
import { createFallbackChain, type FallbackChain } from './fallback-chain';
import type { FallbackEvents } from './fallback-events';
import type { StepBreaker } from './step-breaker';

const request = { model: 'ignored', messages: [{ role: 'user' as const, content: 'hello' }] };

function breakerEvents(chain: FallbackChain): string[] {
  const seen: string[] = [];
  for (const name of ['breaker.open', 'breaker.half_open', 'breaker.close'] as const) {
    chain.on(name, (event: FallbackEvents[typeof name]) => seen.push(`${name}:${event.step.index}`));
  }
  return seen;
}

describe('FallbackChain: per-step circuit breaking', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('skips a step that keeps failing, probes it once when the break ends, uses it again once it recovers', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    primary.always({ type: 'error', category: 'server' });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a', maxAttempts: 1 },
        { pool: secondary.pool, model: 'b' },
      ],
      { breaker: { threshold: 2, breakMs: 5_000 } },
    );
    const events = breakerEvents(chain);

    await settle(chain.chat(request));
    await settle(chain.chat(request));
    expect(events).toEqual(['breaker.open:0']);
    expect(primary.calls()).toBe(2);

    // Open: the primary is skipped without a call.
    const skipped = await settle(chain.chat(request));
    expect(primary.calls()).toBe(2);
    expect(skipped.value?.served.index).toBe(1);
    expect(skipped.value?.attempts[0]).toMatchObject({ step: 0, outcome: 'skipped', reason: 'breaker_open' });
    expect(chain.status()[0]).toMatchObject({ breaker: 'open' });

    // The break ends and the primary is healthy again: one probe, then it takes traffic.
    primary.always({ type: 'ok', text: 'back' });
    await vi.advanceTimersByTimeAsync(5_000);
    const probe = await settle(chain.chat(request));
    expect(probe.value?.served.index).toBe(0);
    expect(events).toEqual(['breaker.open:0', 'breaker.half_open:0', 'breaker.close:0']);
    const after = await settle(chain.chat(request));
    expect(after.value?.served.index).toBe(0);
    expect(primary.calls()).toBe(4);
  });

  it('a failed probe opens the breaker again', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    primary.always({ type: 'error', category: 'overloaded' });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a', maxAttempts: 1 },
        { pool: secondary.pool, model: 'b' },
      ],
      { breaker: { threshold: 1, breakMs: 1_000 } },
    );
    const events = breakerEvents(chain);
    await settle(chain.chat(request));
    await vi.advanceTimersByTimeAsync(1_000);
    await settle(chain.chat(request));
    expect(events).toEqual(['breaker.open:0', 'breaker.half_open:0', 'breaker.open:0']);
    expect(primary.calls()).toBe(2);
  });

  it('half-open lets ONE call through: concurrent calls go to the next step meanwhile', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    primary.adapter.script(primary.secrets[0]!, { type: 'error', category: 'server' });
    primary.always({ type: 'ok', delayMs: 500 });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a', maxAttempts: 1 },
        { pool: secondary.pool, model: 'b' },
      ],
      { breaker: { threshold: 1, breakMs: 1_000 } },
    );
    await settle(chain.chat(request));
    await vi.advanceTimersByTimeAsync(1_000);
    const { value } = await settle(
      Promise.all([chain.chat(request), chain.chat(request), chain.chat(request)]),
    );
    expect(value?.map((result) => result.served.index).sort()).toEqual([0, 1, 1]);
    expect(chain.status()[0]?.breaker).toBe('closed');
  });

  it('a pool estimate (PoolExhaustedError.retryAfterMs) sets the break length at once', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    primary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 8_000 } });
    const chain = createFallbackChain([
      { pool: primary.pool, model: 'a' },
      { pool: secondary.pool, model: 'b' },
    ]);
    const opened: FallbackEvents['breaker.open'][] = [];
    chain.on('breaker.open', (event) => opened.push(event));
    await settle(chain.chat(request));
    expect(opened).toEqual([expect.objectContaining({ durationMs: 8_000, until: Date.now() + 8_000 })]);
    expect(chain.status()[0]).toMatchObject({ breaker: 'open', breakerRemainingMs: 8_000 });
  });

  it('every step open: exhausted at once, retryAfterMs is the earliest break end', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    // Waits longer than the pools' own wait-in-place bound (3 s), and the chain does not wait either.
    primary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 18_000 } });
    secondary.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 13_000 } });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a' },
        { pool: secondary.pool, model: 'b' },
      ],
      { waitInPlaceMs: 0 },
    );
    await settle(chain.chat(request));
    await vi.advanceTimersByTimeAsync(1_000);
    const before = primary.calls() + secondary.calls();
    const { error } = await settle(chain.chat(request));
    expect(primary.calls() + secondary.calls()).toBe(before);
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    expect((error as ChainExhaustedError).retryAfterMs).toBe(12_000);
    expect((error as ChainExhaustedError).steps.map((step) => step.skipped)).toEqual([
      'breaker_open',
      'breaker_open',
    ]);
  });

  it('request errors (invalid request, content filter, context length) do not count against a step', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    primary.always({ type: 'error', category: 'invalid_request' });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a' },
        { pool: secondary.pool, model: 'b' },
      ],
      { breaker: { threshold: 1 } },
    );
    await settle(chain.chat(request));
    await settle(chain.chat(request));
    expect(chain.status()[0]?.breaker).toBe('closed');
  });

  it('accepts a custom StepBreaker per step, and none at all', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    const calls: string[] = [];
    const custom: StepBreaker = {
      state: 'closed',
      allow: () => {
        calls.push('allow');
        return false;
      },
      success: () => calls.push('success'),
      failure: () => calls.push('failure'),
    };
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'a', breaker: custom },
        { pool: secondary.pool, model: 'b', breaker: false },
      ],
      {},
    );
    const { value } = await settle(chain.chat(request));
    expect(value?.served.index).toBe(1);
    expect(calls).toEqual(['allow']);
    expect(chain.status().map((step) => step.breaker)).toEqual(['closed', 'none']);
  });

  it('saves its breakers with toJSON and restores them with initialState', async () => {
    const primary = fakePool('anthropic');
    const secondary = fakePool('openai');
    primary.always({ type: 'error', category: 'server' });
    const steps = [
      { pool: primary.pool, model: 'a', name: 'primary', maxAttempts: 1 },
      { pool: secondary.pool, model: 'b', name: 'secondary' },
    ];
    const chain = createFallbackChain(steps, { breaker: { threshold: 1, breakMs: 60_000 } });
    await settle(chain.chat(request));
    const saved = JSON.parse(JSON.stringify(chain));
    expect(saved.steps[0]).toMatchObject({ name: 'primary', breaker: { state: 'open' } });
    const restored = createFallbackChain(steps, {
      breaker: { threshold: 1, breakMs: 60_000 },
      initialState: saved,
    });
    expect(restored.status().map((step) => step.breaker)).toEqual(['open', 'closed']);
    await settle(restored.chat(request));
    expect(primary.calls()).toBe(1);
  });
});
