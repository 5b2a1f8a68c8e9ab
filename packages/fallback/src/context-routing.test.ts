import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakePool, settle } from '../test/fake-pools';
import { ChainExhaustedError } from './chain-exhausted-error';
import { createFallbackChain, type FallbackChain } from './fallback-chain';
import type { FallbackEventName, FallbackEvents } from './fallback-events';

const request = { model: 'ignored', messages: [{ role: 'user' as const, content: 'hello' }] };

function record<K extends FallbackEventName>(chain: FallbackChain, name: K): FallbackEvents[K][] {
  const seen: FallbackEvents[K][] = [];
  chain.on(name, (event) => seen.push(event));
  return seen;
}

describe('FallbackChain: context_length routing', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('context_length: moves only to a step with a larger context window; an unknown window is tried once', async () => {
    const small = fakePool('anthropic');
    const smaller = fakePool('mistral');
    const unknown = fakePool('openai');
    const large = fakePool('gemini');
    small.always({ type: 'error', category: 'context_length' });
    unknown.always({ type: 'error', category: 'context_length' });
    const chain = createFallbackChain(
      [
        { pool: small.pool, model: 'small', contextWindow: 8_000 },
        { pool: smaller.pool, model: 'smaller', contextWindow: 4_000 },
        { pool: unknown.pool, model: 'unknown' },
        { pool: large.pool, model: 'large', contextWindow: 1_000_000 },
      ],
      { breaker: false },
    );
    const steps = record(chain, 'fallback.step');
    const { value } = await settle(chain.chat(request));
    expect(value?.served.model).toBe('large');
    expect(small.calls()).toBe(1);
    expect(smaller.calls()).toBe(0);
    expect(unknown.calls()).toBe(1);
    expect(steps.map((step) => [step.from.index, step.reason])).toEqual([
      [0, 'context_length'],
      [1, 'context_length'],
      [2, 'context_length'],
    ]);
    expect(value?.attempts.map((attempt) => [attempt.step, attempt.outcome, attempt.reason])).toEqual([
      [0, 'failure', undefined],
      [1, 'skipped', 'context_length'],
      [2, 'failure', undefined],
      [3, 'success', undefined],
    ]);
  });

  it('context_length with no contextWindow configured: the built-in table routes to a larger model', async () => {
    const primary = fakePool('openai');
    const sameSize = fakePool('openai');
    const larger = fakePool('gemini');
    primary.always({ type: 'error', category: 'context_length' });
    const chain = createFallbackChain(
      [
        { pool: primary.pool, model: 'gpt-4o' },
        { pool: sameSize.pool, model: 'gpt-4o-mini' },
        { pool: larger.pool, model: 'gemini-2.5-flash' },
      ],
      { breaker: false },
    );
    const { value } = await settle(chain.chat(request));
    expect(value?.served.model).toBe('gemini-2.5-flash');
    expect(sameSize.calls()).toBe(0);
    // User overrides win over the table: a known-small window is skipped.
    const overridden = createFallbackChain(
      [
        { pool: primary.pool, model: 'gpt-4o' },
        { pool: larger.pool, model: 'gemini-2.5-flash' },
      ],
      { breaker: false, contextWindows: { 'gemini-2.5-flash': 32_000 } },
    );
    const { error } = await settle(overridden.chat(request));
    expect(ChainExhaustedError.isInstance(error) && error.reason).toBe('no_larger_context');
  });
});
