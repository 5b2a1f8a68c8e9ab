/**
 * Overhead of `pool.client` over a plain `OpenAI` client: the same non-streaming chat call, made directly and through
 * the pool, interleaved, against the local emulator. Prints median and p99 of each and the added latency, and writes
 * bench/results/overhead.json. Run: pnpm --filter @keypool/openai bench  (or node bench/overhead.ts)
 */
import './source-hooks.ts';

const { mkdirSync, writeFileSync } = await import('node:fs');
const { cpus } = await import('node:os');
const { default: OpenAI } = await import('openai');
const { startEmulator } = await import('@keypool/emulator');
const { createOpenAIPool } = await import('../src/index.ts');

const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const KEYS = [
  'sk-bench-key-000000000000000001',
  'sk-bench-key-000000000000000002',
  'sk-bench-key-000000000000000003',
];

const emulator = await startEmulator({
  keys: Object.fromEntries(KEYS.map((key) => [key, {}])),
  maxLogEntries: 1000,
});
const direct = new OpenAI({ apiKey: KEYS[0], baseURL: emulator.baseURLs.openai, maxRetries: 0 });
const pool = createOpenAIPool({
  keys: KEYS.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
  clientOptions: { baseURL: emulator.baseURLs.openai },
});
const body = {
  model: 'gpt-4o',
  messages: [{ role: 'user' as const, content: 'overhead' }],
  max_completion_tokens: 8,
};

async function timed(client: InstanceType<typeof OpenAI>): Promise<number> {
  const started = performance.now();
  await client.chat.completions.create(body);
  return performance.now() - started;
}

for (let index = 0; index < WARMUP; index++) {
  await timed(direct);
  await timed(pool.client);
}
const directTimes: number[] = [];
const poolTimes: number[] = [];
for (let index = 0; index < CALLS; index++) {
  // Alternate which goes first so neither side always gets the warmer connection.
  if (index % 2 === 0) {
    directTimes.push(await timed(direct));
    poolTimes.push(await timed(pool.client));
  } else {
    poolTimes.push(await timed(pool.client));
    directTimes.push(await timed(direct));
  }
}
await emulator.close();

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
};
const round = (value: number): number => Math.round(value * 1000) / 1000;
const paired = directTimes.map((time, index) => poolTimes[index]! - time);
const summary = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  calls: CALLS,
  warmup: WARMUP,
  keys: KEYS.length,
  direct: { medianMs: round(quantile(directTimes, 0.5)), p99Ms: round(quantile(directTimes, 0.99)) },
  pool: { medianMs: round(quantile(poolTimes, 0.5)), p99Ms: round(quantile(poolTimes, 0.99)) },
  added: {
    medianMs: round(quantile(poolTimes, 0.5) - quantile(directTimes, 0.5)),
    p99Ms: round(quantile(poolTimes, 0.99) - quantile(directTimes, 0.99)),
    pairedMedianMs: round(quantile(paired, 0.5)),
  },
  targets: { medianMs: 0.05, p99Ms: 0.3 },
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/overhead.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`direct   median ${summary.direct.medianMs} ms  p99 ${summary.direct.p99Ms} ms`);
console.log(`pool     median ${summary.pool.medianMs} ms  p99 ${summary.pool.p99Ms} ms`);
console.log(
  `added    median ${summary.added.medianMs} ms  p99 ${summary.added.p99Ms} ms  (paired median ${summary.added.pairedMedianMs} ms)`,
);
