/**
 * Benchmark: one select → reserve → call → record cycle through a pool with the in-memory store, for pools of 10,
 * 1,000 and 10,000 keys, and the heap a key costs. Runs on the built package (`pnpm bench` builds first).
 * Prints a table and writes bench/results/cycle.json. Figures are medians of several rounds in one run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { ProviderAdapter } from '@keypool/core';
import * as current from '@keypool/core';

type CreateKeyPool = typeof current.createKeyPool;
// The engine before the split (built by bench/build-baseline.sh), measured in the same run for a fair comparison.
const baselineUrl = new URL('./.baseline/dist/index.js', import.meta.url);
const baseline = (await import(baselineUrl.href).catch(() => undefined)) as
  | { createKeyPool: CreateKeyPool }
  | undefined;

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

function makeKeys(count: number, limited: boolean) {
  return Array.from({ length: count }, (_, index) => ({
    id: `key-${index}`,
    secret: `sk-bench-${String(index).padStart(12, '0')}-abcdefghijkl`,
    ...(limited ? { limits: { rpm: 1_000_000, tpm: 100_000_000, rpd: 100_000_000 } } : {}),
  }));
}

const operation = async (client: { id: number }) => client.id;

async function nsPerCall(
  createKeyPool: CreateKeyPool,
  keyCount: number,
  strategy: 'health' | 'round-robin',
  limited: boolean,
): Promise<number> {
  const pool = createKeyPool({ adapter, keys: makeKeys(keyCount, limited), strategy });
  await pool.whenReady();
  const options = { estimatedTokens: 100 };
  for (let index = 0; index < 20_000; index++) await pool.execute(operation, options);
  const rounds: number[] = [];
  const calls = 50_000;
  for (let round = 0; round < 7; round++) {
    // CPU time of this process, not wall time: other processes on a shared machine do not inflate it.
    const started = process.cpuUsage();
    for (let index = 0; index < calls; index++) await pool.execute(operation, options);
    const used = process.cpuUsage(started);
    rounds.push(((used.user + used.system) * 1_000) / calls);
  }
  return median(rounds);
}

function bytesPerKey(keyCount: number, limited: boolean): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return Number.NaN;
  const keys = makeKeys(keyCount, limited);
  gc();
  const before = process.memoryUsage().heapUsed;
  const pool = current.createKeyPool({ adapter, keys, strategy: 'health' });
  gc();
  const after = process.memoryUsage().heapUsed;
  if (pool.keyIds().length !== keyCount) throw new Error('pool lost keys');
  return (after - before) / keyCount;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const rows: Record<string, number | string>[] = [];
for (const keyCount of [10, 1_000, 10_000]) {
  for (const strategy of ['health', 'round-robin'] as const) {
    for (const limited of [false, true]) {
      // Alternate the two engines round by round so drift on a shared machine hits both alike.
      const now: number[] = [];
      const before: number[] = [];
      for (let pass = 0; pass < 3; pass++) {
        now.push(await nsPerCall(current.createKeyPool, keyCount, strategy, limited));
        if (baseline) before.push(await nsPerCall(baseline.createKeyPool, keyCount, strategy, limited));
      }
      const row: Record<string, number | string> = {
        keys: keyCount,
        strategy,
        limits: limited ? 'rpm+tpm+rpd' : 'none',
        cpuNsPerCall: Math.round(median(now)),
      };
      if (baseline) {
        row.baselineNsPerCall = Math.round(median(before));
        row.ratio = Math.round((median(now) / median(before)) * 100) / 100;
      }
      rows.push(row);
    }
  }
}
const memory = [10_000].flatMap((keyCount) =>
  [false, true].map((limited) => ({
    keys: keyCount,
    limits: limited ? 'rpm+tpm+rpd' : 'none',
    bytesPerKey: Math.round(bytesPerKey(keyCount, limited)),
  })),
);

const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`machine: ${machine}`);
console.table(rows);
console.table(memory);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/cycle.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), machine, unit: 'CPU ns per call (median of 3 passes, each the median of 7 rounds of 50,000); baseline = the engine before the split, same run', cycle: rows, memory }, null, 2)}\n`,
);
