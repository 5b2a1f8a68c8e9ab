// Calls/s and Redis round trips per call through a pool on the Redis store, single node vs a 3-master Redis Cluster,
// in one run: `pnpm --filter @keypool/redis bench:cluster`. BENCH_SECONDS (default 3) sets each scenario's length,
// BENCH_CONCURRENCY (default 32) the calls in flight. The adapter is core's FakeAdapter (no HTTP): what is measured
// is the engine plus the store. Writes bench/results/cluster.json.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { registerSourceHooks } from '../test/source-hooks.ts';

registerSourceHooks();
const { createKeyPool } = await import('@keypool/core');
const { FakeAdapter } = await import('@keypool/core/testing');
const { Cluster, Redis } = await import('ioredis');
const { createRedisStore } = await import('../src/index.ts');
const { startRedis } = await import('../test/redis-server.ts');
const { startCluster } = await import('../test/redis-cluster.ts');

type RedisClient = import('../src/index.ts').RedisClient;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const KEYS = 20;
const POOLS = 3;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Client commands (each one round trip) summed over the given nodes, from INFO commandstats. */
async function roundTrips(ports: readonly number[]): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const admin = new Redis(port, '127.0.0.1');
    const stats = await admin.info('commandstats');
    admin.disconnect();
    for (const match of stats.matchAll(/^cmdstat_(evalsha|eval|ping|script|del):calls=(\d+)/gm))
      total += Number(match[2]);
  }
  return total;
}

/** POOLS pools (prefixes `bench0..`) of KEYS keys each, called from CONCURRENCY loops for SECONDS. */
async function scenario(name: string, client: RedisClient, ports: readonly number[]) {
  const adapter = new FakeAdapter();
  const pools = Array.from({ length: POOLS }, (_, index) => {
    const store = createRedisStore({
      redis: client,
      prefix: `bench${index}`,
      timeoutMs: 2_000,
      pubsub: false,
    });
    const pool = createKeyPool({
      adapter,
      keys: Array.from({ length: KEYS }, (_, key) => ({
        id: `k${key}`,
        secret: `sk-bench-${index}-${key}-xxxxxxxx`,
      })),
      store,
      windowMs: 60_000,
    });
    return { store, pool };
  });
  const context = { signal: new AbortController().signal, reportRateLimit() {}, reportUsage() {} };
  let next = 0;
  const call = () => pools[next++ % POOLS]!.pool.execute((sdk) => adapter.call(sdk, context));
  for (let index = 0; index < 300; index++) await call();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = await roundTrips(ports);
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const begin = performance.now();
        await call();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 300)); // the records are written after the calls return
  const trips = (await roundTrips(ports)) - before;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))]! * 100) / 100;
  const row = {
    scenario: name,
    calls: latencies.length,
    callsPerSecond: Math.round(latencies.length / elapsed),
    roundTripsPerCall: Math.round((trips / latencies.length) * 1000) / 1000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    degraded: pools.some(({ store }) => store.degraded),
  };
  console.log(JSON.stringify(row));
  for (const { pool, store } of pools) {
    await pool.close();
    await store.close();
  }
  return row;
}

const results = [];
const single = await startRedis();
try {
  const client = new Redis(single.url);
  results.push(await scenario('single node', client, [single.port]));
  client.disconnect();
} finally {
  await single.stop();
}
const cluster = await startCluster();
try {
  const client = new Cluster([...cluster.startupNodes]);
  await new Promise((resolve) => client.once('ready', resolve));
  results.push(
    await scenario(
      'Redis Cluster, 3 masters + 3 replicas',
      client,
      cluster.nodes.map((node) => node.port),
    ),
  );
  client.disconnect();
} finally {
  await cluster.stop();
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
  secondsPerScenario: SECONDS,
  concurrency: CONCURRENCY,
  pools: POOLS,
  keysPerPool: KEYS,
  note: 'round trips per call count reserve (awaited) and record (written after the call returns)',
  results,
};
writeFileSync(here('./results/cluster.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote bench/results/cluster.json (load average ${report.loadAverageAtEnd.join(' ')})`);
