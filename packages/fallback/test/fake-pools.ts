import { createKeyPool, type KeyPool, type KeyPoolOptions } from '@keypool/core';
import { FakeAdapter, type FakeClient, type FakeOutcome } from '@keypool/core/testing';
import { vi } from 'vitest';

/** A pool of fake keys for one fake provider, with helpers to script every key at once. */
export interface FakePool {
  pool: KeyPool<FakeClient>;
  adapter: FakeAdapter;
  secrets: string[];
  /** Every key answers `outcome` once its script is empty. */
  always(outcome: FakeOutcome): void;
  /** Calls served by this pool's adapter (every key). */
  calls(): number;
}

/** Builds a pool of `keys` fake keys (`sk-<provider>-...`), round-robin, no jitter, short retry delays. */
export function fakePool(
  provider: string,
  keys = 2,
  options: Partial<KeyPoolOptions<FakeClient>> = {},
): FakePool {
  const adapter = new FakeAdapter({ provider });
  const secrets = Array.from({ length: keys }, (_, index) => `sk-${provider}-${'x'.repeat(16)}${index}key`);
  const pool = createKeyPool<FakeClient>({
    adapter,
    keys: secrets.map((secret, index) => ({ id: `${provider}-${index + 1}`, secret })),
    strategy: 'round-robin',
    random: () => 0,
    retryBaseMs: 10,
    ...options,
  });
  return {
    pool,
    adapter,
    secrets,
    always(outcome) {
      for (const secret of secrets) adapter.always(secret, outcome);
    },
    calls: () => adapter.calls.length,
  };
}

/** Runs a promise under fake timers: advances the clock until it settles, returns its value or its error. */
export async function settle<T>(
  promise: Promise<T>,
  maxMs = 300_000,
): Promise<{ value?: T; error?: unknown }> {
  let done = false;
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  void outcome.then(() => {
    done = true;
  });
  // Jump from timer to timer, so the clock stops exactly where the promise settled.
  const until = Date.now() + maxMs;
  await vi.advanceTimersByTimeAsync(0);
  while (!done && Date.now() < until) {
    if (vi.getTimerCount() === 0) break;
    await vi.advanceTimersToNextTimerAsync();
  }
  return outcome;
}

/** Collects a stream under fake timers: the deltas seen, the final event, or the error. */
export async function collect<T extends { type: string }>(
  stream: AsyncIterable<T>,
  maxMs = 300_000,
): Promise<{ events: T[]; error?: unknown }> {
  const events: T[] = [];
  const run = (async () => {
    for await (const event of stream) events.push(event);
  })();
  const { error } = await settle(run, maxMs);
  return { events, ...(error !== undefined ? { error } : {}) };
}

/** A user message of about `tokens` tokens (the core estimates four characters a token). */
export function promptOf(tokens: number): { role: 'user'; content: string } {
  return { role: 'user', content: 'a'.repeat(tokens * 4) };
}
