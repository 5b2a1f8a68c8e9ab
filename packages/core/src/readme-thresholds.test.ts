import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { backoffStep } from './backoff';
import { createKeyPool } from './key-pool';
import { FakeAdapter, FakeProviderError } from './testing/fake-adapter';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');

beforeEach(() => {
  vi.useFakeTimers({ now: 3_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

it('runs the README thresholds and backoff example as written', async () => {
  const section = readme.slice(readme.indexOf('### Thresholds, quiet periods and backoff'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]?.trim();
  const start = '// --- README example start\n';
  const region = self
    .slice(self.indexOf(start) + start.length, self.indexOf('  // --- README example end\n'))
    .replace(/^ {2}/gm, '')
    .trim();
  expect(region).toBe(block);

  const adapter = new FakeAdapter();
  const printed: unknown[] = [];
  const console = { log: (value: unknown) => printed.push(value) };
  // --- README example start
  const pool = createKeyPool({
    adapter,
    keys: [{ id: 'main', secret: 'sk-my-api-key-number-one' }],
    policy: { auth: { threshold: 3 } }, // disable a key on its third 401 in a row, not its first
    failureThreshold: 2, // every other row with a key effect: the second failure in a row
    failureResetMs: 10 * 60_000, // ten quiet minutes start the counts again
    cooldown: { baseMs: 1_000, factor: 2, maxMs: 60_000, jitter: 0.2 },
    retryBackoff: { baseMs: 1_000, factor: 2, maxMs: 10_000, jitter: 0.2 },
  });
  console.log([1, 2, 3, 4, 5].map((n) => backoffStep(n, 1_000, 2, 10_000))); // [1000, 2000, 4000, 8000, 10000]
  // --- README example end
  expect(printed).toEqual([[1_000, 2_000, 4_000, 8_000, 10_000]]);

  const unauthorised = () =>
    pool
      .execute(
        async () => {
          throw new FakeProviderError('auth', { status: 401 });
        },
        { maxAttempts: 1 },
      )
      .catch(() => undefined);
  await unauthorised();
  await unauthorised();
  expect(pool.snapshot()[0]!.status).toBe('active');
  await vi.advanceTimersByTimeAsync(10 * 60_000); // ten quiet minutes: the run starts again
  await unauthorised();
  await unauthorised();
  expect(pool.snapshot()[0]!.status).toBe('active');
  await unauthorised();
  expect(pool.snapshot()[0]!.status).toBe('disabled');
});
