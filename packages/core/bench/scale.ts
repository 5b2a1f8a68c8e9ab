/**
 * Benchmark: the engine at 10 to 100,000 keys (issue 13). For each size: the time to build a pool, the CPU cost of a
 * call with every key healthy, with all but 8 keys cooling, and with a key leaving and re-entering the ready list on
 * every call (churn), and the heap an idle key and a used key cost. The
 * engine before the split (bench/build-baseline.sh) runs the same scenarios in the same run where it finishes in
 * reasonable time. Prints tables and writes bench/results/scale.json. Medians of several rounds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { PoolState, ProviderAdapter } from '@keypool/core';
import * as current from '@keypool/core';

type CreateKeyPool = typeof current.createKeyPool;
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
const operation = async (client: { id: number }) => client.id;
const FREE = 8;

function makeKeys(count: number) {
  return Array.from({ length: count }, (_, index) => ({
    id: `key-${index}`,
    secret: `sk-bench-${String(index).padStart(12, '0')}-abcdefghijkl`,
  }));
}

/** A saved state in which every key but the last `FREE` cools for a day (in both engines' formats). */
function coolingState(pool: { toJSON(): PoolState }, count: number): PoolState {
  const state = pool.toJSON();
  const until = Date.now() + 86_400_000;
  state.keys.forEach((key, index) => {
    if (index >= count - FREE) return;
    key.state = { ...key.state, cooldownUntil: until, category: 'rate_limit', reason: 'bench' };
    if (key.scopes)
      for (const name of Object.keys(key.scopes))
        key.scopes[name] = { ...key.scopes[name]!, cooldownUntil: until };
    else key.scopes = { '*': { ...key.state } };
  });
  return state;
}

async function buildMs(createKeyPool: CreateKeyPool, count: number): Promise<number> {
  const keys = makeKeys(count);
  const started = performance.now();
  const pool = createKeyPool({ adapter, keys });
  await pool.whenReady();
  return performance.now() - started;
}

async function nsPerCall(
  createKeyPool: CreateKeyPool,
  count: number,
  cooling: boolean,
  strategy: 'health' | 'round-robin',
) {
  const keys = makeKeys(count);
  let pool = createKeyPool({ adapter, keys, strategy });
  await pool.whenReady();
  if (cooling) {
    await pool.execute(operation);
    pool = createKeyPool({ adapter, keys, strategy, initialState: coolingState(pool, count) });
    await pool.whenReady();
  }
  const calls = count >= 100_000 && cooling ? 2_000 : 20_000;
  // Warm up past every key's first call (its scope, store entry and client are built then): the rounds measure the
  // steady state. The first call on a key costs more; it is not what a call costs at scale.
  const warmup = cooling ? 2_000 : Math.max(2_000, count);
  for (let index = 0; index < warmup; index++) await pool.execute(operation);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = process.cpuUsage();
    for (let index = 0; index < calls; index++) await pool.execute(operation);
    const used = process.cpuUsage(started);
    rounds.push(((used.user + used.system) * 1_000) / calls);
  }
  return median(rounds);
}

/**
 * CPU per call when every call moves a key out of the ready list and, 20 ms later, back: the first attempt of each
 * call is refused with a rate limit (a 20 ms retry-after), the retry goes to the next key (round-robin).
 */
async function nsPerChurnCall(createKeyPool: CreateKeyPool, count: number): Promise<number> {
  let attempts = 0;
  const limited: ProviderAdapter<{ id: number }> = {
    ...adapter,
    classifyError: () => ({ category: 'rate_limit', message: 'x', retryAfterMs: 20 }),
  };
  const failFirst = async (client: { id: number }) => {
    attempts++;
    if (attempts % 2 === 1) throw new Error('429');
    return client.id;
  };
  const pool = createKeyPool({
    adapter: limited,
    keys: makeKeys(count),
    strategy: 'round-robin',
    maxWaitMs: 0,
  });
  await pool.whenReady();
  for (let index = 0; index < 2_000; index++) await pool.execute(failFirst);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = process.cpuUsage();
    for (let index = 0; index < 5_000; index++) await pool.execute(failFirst);
    const used = process.cpuUsage(started);
    rounds.push(((used.user + used.system) * 1_000) / 5_000);
  }
  return median(rounds);
}

/** Heap per key: idle (built, never called) and used (each key served one call: its client, scope and counters). */
async function heapPerKey(count: number): Promise<{ idle: number; used: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return { idle: Number.NaN, used: Number.NaN };
  const keys = makeKeys(count);
  gc();
  const start = process.memoryUsage().heapUsed;
  const pool = current.createKeyPool({ adapter, keys, strategy: 'round-robin' });
  await pool.whenReady();
  gc();
  const built = process.memoryUsage().heapUsed;
  for (let index = 0; index < count; index++) await pool.execute(operation);
  gc();
  const used = process.memoryUsage().heapUsed;
  if (pool.keyIds().length !== count) throw new Error('pool lost keys');
  return { idle: (built - start) / count, used: (used - start) / count };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const rows: Record<string, number | string>[] = [];
const sizes = process.argv[2] ? process.argv[2].split(',').map(Number) : [10, 1_000, 10_000, 100_000];
for (const count of sizes) {
  const row: Record<string, number | string> = { keys: count };
  row.buildMs = round2(
    median([await buildMs(current.createKeyPool, count), await buildMs(current.createKeyPool, count)]),
  );
  if (baseline && count <= 10_000) row.baselineBuildMs = round2(await buildMs(baseline.createKeyPool, count));
  for (const strategy of ['health', 'round-robin'] as const) {
    const healthy = await nsPerCall(current.createKeyPool, count, false, strategy);
    const cooling = await nsPerCall(current.createKeyPool, count, true, strategy);
    row[`${strategy}HealthyNs`] = Math.round(healthy);
    row[`${strategy}CoolingNs`] = Math.round(cooling);
    if (baseline && count <= 10_000) {
      row[`${strategy}BaselineHealthyNs`] = Math.round(
        await nsPerCall(baseline.createKeyPool, count, false, strategy),
      );
      row[`${strategy}BaselineCoolingNs`] = Math.round(
        await nsPerCall(baseline.createKeyPool, count, true, strategy),
      );
    }
  }
  if (count >= 10_000) {
    // Fewer keys than a fast loop cools in 20 ms would leave none usable: not what this measures.
    row.churnNs = Math.round(await nsPerChurnCall(current.createKeyPool, count));
  }
  rows.push(row);
  console.log(JSON.stringify(row));
}
const memory = await heapPerKey(10_000);
const memoryRow = {
  keys: 10_000,
  idleBytesPerKey: Math.round(memory.idle),
  usedBytesPerKey: Math.round(memory.used),
};

const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`machine: ${machine}`);
console.table(rows);
console.table([memoryRow]);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/scale.json', import.meta.url),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      unit: 'buildMs: wall ms to build a pool and register its keys; *Ns: CPU ns per call (median of 5 rounds); cooling = all but 8 keys cooling; churnNs: CPU ns per call whose first attempt is rate-limited (its key leaves the ready list, and returns 20 ms later) and whose retry is served; baseline = the engine before the split, same run (up to 10,000 keys)',
      scale: rows,
      memory: memoryRow,
    },
    null,
    2,
  )}\n`,
);
