import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakePool, settle } from '../test/fake-pools';
import { ChainExhaustedError } from './chain-exhausted-error';
import { createFallbackChain } from './fallback-chain';
import type { FallbackEvents } from './fallback-events';
import { waitInPlaceMs } from './wait-in-place';

const request = { model: 'ignored', messages: [{ role: 'user' as const, content: 'hello' }] };
const step = { index: 0, name: 's', provider: 'p', model: 'm' };

describe('waitInPlaceMs', () => {
  const base = { boundMs: 3_000, waitedMs: 0, remainingMs: 60_000 };

  it('waits for the earliest known wait when every step has one', () => {
    expect(
      waitInPlaceMs({
        ...base,
        round: [
          { step, retryAfterMs: 2_500 },
          { step, retryAfterMs: 900 },
        ],
      }),
    ).toBe(900);
  });

  it('gives up when a step has no known wait, the wait exceeds what is left of the bound, or the deadline', () => {
    expect(waitInPlaceMs({ ...base, round: [{ step, retryAfterMs: 900 }, { step }] })).toBeUndefined();
    expect(waitInPlaceMs({ ...base, round: [{ step, retryAfterMs: 3_500 }] })).toBeUndefined();
    expect(waitInPlaceMs({ ...base, waitedMs: 2_500, round: [{ step, retryAfterMs: 900 }] })).toBeUndefined();
    expect(
      waitInPlaceMs({ ...base, remainingMs: 800, round: [{ step, retryAfterMs: 900 }] }),
    ).toBeUndefined();
    expect(waitInPlaceMs({ ...base, boundMs: 0, round: [{ step, retryAfterMs: 1 }] })).toBeUndefined();
    expect(waitInPlaceMs({ ...base, round: [] })).toBeUndefined();
  });

  it('never spins: a 0 ms estimate waits a little', () => {
    expect(waitInPlaceMs({ ...base, round: [{ step, retryAfterMs: 0 }] })).toBe(10);
  });
});

describe('FallbackChain: waiting in place', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('one key limited for 2 s: the chain waits for it and serves, instead of failing', async () => {
    const only = fakePool('openai', 1, { maxWaitMs: 0 });
    only.adapter.script(only.secrets[0]!, {
      type: 'error',
      category: 'rate_limit',
      hints: { retryAfterMs: 2_000 },
    });
    only.always({ type: 'ok', text: 'served after the wait' });
    const chain = createFallbackChain([{ pool: only.pool, model: 'm' }]);
    const waits: FallbackEvents['fallback.wait'][] = [];
    chain.on('fallback.wait', (event) => waits.push(event));
    const started = Date.now();
    const { value, error } = await settle(chain.chat(request));
    expect(error).toBeUndefined();
    expect(value?.text).toBe('served after the wait');
    expect(waits).toEqual([{ waitMs: 2_000, waitedMs: 0 }]);
    expect(only.adapter.calls.map((call) => call.at - started)).toEqual([0, 2_000]);
  });

  it('every step cooling longer than the bound: fails at once with the earliest estimate', async () => {
    const only = fakePool('openai', 1, { maxWaitMs: 0 });
    only.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 5_000 } });
    const chain = createFallbackChain([{ pool: only.pool, model: 'm' }]);
    const started = Date.now();
    const { error } = await settle(chain.chat(request));
    expect(ChainExhaustedError.isInstance(error) && error.retryAfterMs).toBe(5_000);
    expect(Date.now() - started).toBe(0);
  });

  it('a wait that does not fit the deadline is not taken', async () => {
    const only = fakePool('openai', 1, { maxWaitMs: 0 });
    only.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 2_000 } });
    const chain = createFallbackChain([{ pool: only.pool, model: 'm' }], { deadlineMs: 1_500 });
    const { error } = await settle(chain.chat(request));
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    expect(only.adapter.calls).toHaveLength(1);
  });

  it('a step without a known wait (a timeout) is not waited for: the chain gives up and never calls it again', async () => {
    const cooling = fakePool('openai', 1, { maxWaitMs: 0 });
    const silent = fakePool('anthropic', 1);
    cooling.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 500 } });
    silent.always({ type: 'error', category: 'timeout' });
    const chain = createFallbackChain([
      { pool: cooling.pool, model: 'a' },
      { pool: silent.pool, model: 'b' },
    ]);
    const { error } = await settle(chain.chat(request));
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    expect(silent.adapter.calls).toHaveLength(1);
    expect(cooling.adapter.calls).toHaveLength(1);
  });

  it('waits add up to the bound at most, then the chain fails', async () => {
    const only = fakePool('openai', 1, { maxWaitMs: 0 });
    only.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 1_200 } });
    const chain = createFallbackChain([{ pool: only.pool, model: 'm' }], { waitInPlaceMs: 2_000 });
    const waits: FallbackEvents['fallback.wait'][] = [];
    chain.on('fallback.wait', (event) => waits.push(event));
    const { error } = await settle(chain.chat(request));
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    // 1.2 s fits the 2 s bound; a second 1.2 s (or the pool's longer, escalated estimate) would not.
    expect(waits.map((event) => event.waitMs)).toEqual([1_200]);
    expect(only.adapter.calls).toHaveLength(2);
  });

  it('the caller abort ends a wait at once', async () => {
    const only = fakePool('openai', 1, { maxWaitMs: 0 });
    only.always({ type: 'error', category: 'rate_limit', hints: { retryAfterMs: 2_000 } });
    const chain = createFallbackChain([{ pool: only.pool, model: 'm' }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const started = Date.now();
    const { error } = await settle(chain.chat({ ...request, signal: controller.signal }));
    expect((error as { category?: string }).category).toBe('aborted');
    expect(Date.now() - started).toBe(500);
  });
});
