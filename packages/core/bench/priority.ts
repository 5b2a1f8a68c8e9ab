/**
 * Benchmark: the `priority` strategy with tiers (issue 17) at 100 to 10,000 keys: the CPU cost of a call when every
 * key is healthy and the keys are split in three priority tiers (plus keys without a priority). A pick should cost
 * the same at 10,000 keys as at 100. Prints one line per size: microseconds per call (median of 5 rounds), next to
 * round-robin's over the same keys.
 * Run: `pnpm --filter @keypool/core exec tsdown && node packages/core/bench/priority.ts`.
 */
import type { ProviderAdapter } from '@keypool/core';
import { createKeyPool } from '@keypool/core';

const adapter: ProviderAdapter<{ id: number }> = {
  provider: 'bench',
  setApiKey() {},
  createClient: (secret) => ({ id: secret.length }),
  classifyError: () => ({ category: 'server', message: 'x' }),
  chat: async () => {
    throw new Error('not used');
  },
  // biome-ignore lint/correctness/useYield: not used by this benchmark
  stream: async function* () {
    throw new Error('not used');
  },
};
const operation = async (client: { id: number }) => client.id;

async function usPerCall(count: number, strategy: 'priority' | 'round-robin'): Promise<number> {
  const keys = Array.from({ length: count }, (_, index) => ({
    id: `key-${index}`,
    secret: `sk-bench-${String(index).padStart(12, '0')}-abcdefghijkl`,
    // Three tiers spread through the pool, and every tenth key without a priority.
    ...(index % 10 === 9 ? {} : { priority: index % 3 }),
  }));
  const pool = createKeyPool({ adapter, keys, strategy });
  await pool.whenReady();
  // Warm up past every top-tier key's first call (its scope and client are built then).
  for (let index = 0; index < Math.max(2_000, count / 2); index++) await pool.execute(operation);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const calls = 5_000;
    const started = performance.now();
    for (let index = 0; index < calls; index++) await pool.execute(operation);
    rounds.push(((performance.now() - started) * 1_000) / calls);
  }
  await pool.close();
  return rounds.sort((a, b) => a - b)[2]!;
}

// round-robin over the same keys is the reference: what a call costs when the pick itself is O(1).
for (const count of [100, 1_000, 10_000]) {
  const priority = await usPerCall(count, 'priority');
  const roundRobin = await usPerCall(count, 'round-robin');
  console.log(
    `${count} keys (3 tiers): priority ${priority.toFixed(1)} us/call, round-robin ${roundRobin.toFixed(1)} us/call`,
  );
}
