// Throughput of one process using the Redis store: `pnpm --filter @keypool/redis bench`.
// BENCH_SECONDS (default 5) sets each scenario's length, BENCH_CONCURRENCY (default 64) the calls in flight.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { registerSourceHooks } from '../test/source-hooks.ts';

registerSourceHooks();
const { MemoryStateStore } = await import('@keypool/core');
const { createOpenAIPool } = await import('@keypool/openai');
const { Redis } = await import('ioredis');
const { createRedisStore } = await import('../src/index.ts');
const { startRedis } = await import('../test/redis-server.ts');

type StateStore = import('@keypool/core').StateStore;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const KEYS = 20;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const redis = await startRedis();
const admin = new Redis(redis.url);
const emulatorProcess = fork(here('./emulator-process.ts'), [], {
  execArgv: ['--conditions=@keypool/source', '--disable-warning=ExperimentalWarning'],
});
const baseURL = await new Promise<string>((resolve) =>
  emulatorProcess.once('message', (message: { baseURL: string }) => resolve(message.baseURL)),
);

async function redisCounters(): Promise<{ calls: Record<string, number>; cpuSeconds: number }> {
  const [commandstats, cpu] = await Promise.all([admin.info('commandstats'), admin.info('cpu')]);
  const calls: Record<string, number> = {};
  for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls[match[1]!] = Number(match[2]);
  const user = Number(/used_cpu_user:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(cpu)?.[1] ?? 0);
  return { calls, cpuSeconds: user + sys };
}

/** Runs `call` from CONCURRENCY loops for SECONDS; returns calls/s and latency percentiles. */
async function drive(call: () => Promise<unknown>) {
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const begin = performance.now();
        try {
          await call();
        } catch {
          failures++;
        }
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))]! * 100) / 100;
  return {
    calls: latencies.length,
    failures,
    callsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

// Commands the store sends itself (each one round trip). INFO commandstats also counts the commands a script runs
// inside Redis (HGETALL, HSET, GET, SET, PEXPIRE...): those are reported apart, they cost no round trip.
const CLIENT_COMMANDS = new Set(['evalsha', 'eval', 'ping', 'script', 'del']);

/** Redis round trips per call (from INFO commandstats), and Redis CPU per call. */
async function measured(name: string, calls: () => Promise<{ calls: number } & Record<string, unknown>>) {
  const before = await redisCounters();
  const result = await calls();
  await new Promise((resolve) => setTimeout(resolve, 200)); // the pool records write-through, after the call
  const after = await redisCounters();
  const roundTrips: Record<string, number> = {};
  const insideScripts: Record<string, number> = {};
  let total = 0;
  for (const [command, count] of Object.entries(after.calls)) {
    if (command === 'info') continue;
    const delta = count - (before.calls[command] ?? 0);
    if (delta <= 0) continue;
    if (CLIENT_COMMANDS.has(command)) {
      roundTrips[command] = delta;
      total += delta;
    } else insideScripts[command] = delta;
  }
  const per = (value: number) => (result.calls > 0 ? Math.round((value / result.calls) * 1000) / 1000 : 0);
  const row = {
    scenario: name,
    ...result,
    roundTripsPerCall: per(total),
    roundTrips,
    commandsInsideScriptsPerCall: per(Object.values(insideScripts).reduce((sum, count) => sum + count, 0)),
    redisCpuMicrosPerCall: Math.round(per((after.cpuSeconds - before.cpuSeconds) * 1e6)),
  };
  console.log(JSON.stringify(row));
  return row;
}

function keys() {
  return Array.from({ length: KEYS }, (_, index) => ({
    id: `bench${index}`,
    secret: `sk-bench-${index}-${'x'.repeat(24)}`,
    // Limits far above what one machine sends: every call goes through the window code, none is refused.
    limits: { rpm: 10_000_000, tpm: 10_000_000_000 },
  }));
}

function pool(store: StateStore) {
  return createOpenAIPool({ keys: keys(), store, windowMs: 60_000, clientOptions: { baseURL } });
}

const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 8 };
const results = [];

// 1. The store alone: reserve + record, no HTTP (the store's own ceiling in this process).
{
  const store = createRedisStore({ redis: redis.url, prefix: 'bench-store', timeoutMs: 1_000 });
  const storeKeys = keys().map((key) => ({ fingerprint: key.id, limits: key.limits }));
  await store.register(storeKeys, { minuteMs: 60_000, dayMs: 86_400_000 });
  let next = 0;
  const warm = async () => {
    const key = storeKeys[next++ % KEYS]!;
    const now = Date.now();
    await store.reserve(key, { requests: 1, tokens: 20 }, now);
    await store.record(key, {
      now: Date.now(),
      outcome: 'success',
      reservedTokens: 20,
      actualTokens: 12,
      latencyMs: 1,
      probe: false,
    });
  };
  for (let index = 0; index < 200; index++) await warm();
  results.push(await measured('store only: reserve + record (no HTTP)', () => drive(warm)));
  if (store.degraded) throw new Error('the store degraded during the benchmark');
  await store.close();
}

// 2. A pool with the Redis store, OpenAI SDK calls to the emulator.
{
  const store = createRedisStore({ redis: redis.url, prefix: 'bench-pool', timeoutMs: 1_000 });
  let degraded = 0;
  store.on('store.degraded', () => degraded++);
  const redisPool = pool(store);
  await redisPool.whenReady();
  for (let index = 0; index < 200; index++) await redisPool.client.chat.completions.create(request);
  results.push({
    ...(await measured('createOpenAIPool + Redis store: client.chat.completions.create -> emulator', () =>
      drive(() => redisPool.client.chat.completions.create(request)),
    )),
    degraded,
  });
  await redisPool.close();
  await store.close();
}

// 3. Baseline: the same pool and HTTP path with the in-memory store.
{
  const memoryPool = pool(new MemoryStateStore());
  await memoryPool.whenReady();
  for (let index = 0; index < 200; index++) await memoryPool.client.chat.completions.create(request);
  results.push(
    await measured('baseline: createOpenAIPool + memory store -> emulator', () =>
      drive(() => memoryPool.client.chat.completions.create(request)),
    ),
  );
  await memoryPool.close();
}

const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1];
const report = {
  date: new Date().toISOString(),
  node: process.version,
  redis: redisVersion,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
  secondsPerScenario: SECONDS,
  concurrency: CONCURRENCY,
  keys: KEYS,
  targets: { roundTripsPerCall: '<= 2', callsPerSecond: '>= 5000' },
  results,
};
writeFileSync(here('./results/throughput.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `\nwrote bench/results/throughput.json (load average ${report.loadAverageAtEnd.join(' ')} on ${report.cpus} CPUs)`,
);

emulatorProcess.send({ type: 'close' });
admin.disconnect();
await redis.stop();
