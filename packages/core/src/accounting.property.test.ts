import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorCategory } from './categories';
import { createKeyPool } from './key-pool';
import { FakeAdapter, type FakeOutcome } from './testing/fake-adapter';

const SECRETS = [
  'sk-prop-aaaaaaaaaaaaaaaaaaaaa',
  'sk-prop-bbbbbbbbbbbbbbbbbbbbb',
  'sk-prop-ccccccccccccccccccccc',
  'sk-prop-ddddddddddddddddddddd',
];
const outcome = fc.oneof(
  fc.constant<FakeOutcome>({ type: 'ok' }),
  fc
    .constantFrom<ErrorCategory>('rate_limit', 'quota_exhausted', 'auth', 'overloaded', 'server', 'network')
    .map(
      (category): FakeOutcome => ({
        type: 'error',
        category,
        hints: category === 'rate_limit' ? { retryAfterMs: 5 } : {},
      }),
    ),
);

describe('accounting under random outcomes and concurrency (property)', () => {
  it('counts exactly, and never sends a call on a disabled or cooling key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(outcome, { maxLength: 8 }), {
          minLength: SECRETS.length,
          maxLength: SECRETS.length,
        }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom('health', 'round-robin', 'least-used', 'random', 'weighted', 'latency' as const),
        async (scripts, concurrency, strategy) => {
          const adapter = new FakeAdapter();
          for (const [index, script] of scripts.entries()) adapter.script(SECRETS[index]!, ...script);
          const pool = createKeyPool({
            adapter,
            keys: SECRETS.map((secret, index) => ({ id: `k${index}`, secret })),
            strategy,
            retryBaseMs: 0,
            maxWaitMs: 0,
            cooldown: { baseMs: 60_000 },
          });
          const violations: string[] = [];
          let served = 0;
          let failed = 0;
          const one = () =>
            pool
              .run(async (client, key) => {
                const state = pool.snapshot().find((snapshot) => snapshot.id === key.id)!;
                if (state.status === 'disabled' || state.status === 'cooling')
                  violations.push(`${key.id} was ${state.status}`);
                return adapter.call(client, key);
              })
              .then(
                () => served++,
                () => failed++,
              );
          for (let round = 0; round < 4; round++) await Promise.all(Array.from({ length: concurrency }, one));
          const snapshot = pool.snapshot();
          const requests = snapshot.reduce((sum, key) => sum + key.counts.requests, 0);
          const successes = snapshot.reduce((sum, key) => sum + key.counts.successes, 0);
          const failures = snapshot.reduce(
            (sum, key) =>
              sum + Object.values(key.counts.failures).reduce((inner, count) => inner + (count ?? 0), 0),
            0,
          );
          expect(violations).toEqual([]);
          expect(served + failed).toBe(4 * concurrency);
          expect(requests).toBe(adapter.calls.length);
          expect(successes + failures).toBe(requests);
          expect(successes).toBe(served);
          for (const key of snapshot) {
            const calls = adapter.callsFor(SECRETS[Number(key.id.slice(1))]!).length;
            expect(key.counts.requests).toBe(calls);
            expect(key.inFlight).toBe(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
