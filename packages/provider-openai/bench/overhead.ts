/**
 * Overhead of `pool.client` over a plain `OpenAI` client: the same non-streaming chat call, made directly and through
 * the pool, interleaved, against the local emulator. Prints median and p99 of each and the added latency, and writes
 * bench/results/overhead.json. Run: pnpm --filter @keypool/openai bench  (or node bench/overhead.ts)
 */
import './source-hooks.ts';

const { mkdirSync, writeFileSync } = await import('node:fs');
const { cpus, loadavg } = await import('node:os');
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

type Client = InstanceType<typeof OpenAI>;

async function timed(client: Client): Promise<number> {
  const started = performance.now();
  await client.chat.completions.create(body);
  return performance.now() - started;
}

/** Warms up, then times `calls` calls on each client, interleaved (alternating which goes first). */
async function measure(first: Client, second: Client): Promise<{ direct: number[]; pool: number[] }> {
  for (let index = 0; index < WARMUP; index++) {
    await timed(first);
    await timed(second);
  }
  const directTimes: number[] = [];
  const poolTimes: number[] = [];
  for (let index = 0; index < CALLS; index++) {
    if (index % 2 === 0) {
      directTimes.push(await timed(first));
      poolTimes.push(await timed(second));
    } else {
      poolTimes.push(await timed(second));
      directTimes.push(await timed(first));
    }
  }
  return { direct: directTimes, pool: poolTimes };
}

const overEmulator = await measure(direct, pool.client);
await emulator.close();

// The same comparison without a network: both clients get a canned response from their fetch, so what remains is
// the CPU cost of the SDK and, on the pool side, of the engine (selection, reservation, events, header parsing).
const canned = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
});
const cannedHeaders = {
  'content-type': 'application/json',
  'x-request-id': 'req_bench',
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '30000000',
  'x-ratelimit-remaining-tokens': '29999990',
  'x-ratelimit-reset-tokens': '0s',
};
const cannedFetch = async () => new Response(canned, { status: 200, headers: cannedHeaders });
const offlineBase = 'http://127.0.0.1:9/v1';
const inProcess = await measure(
  new OpenAI({ apiKey: KEYS[0], baseURL: offlineBase, maxRetries: 0, fetch: cannedFetch }),
  createOpenAIPool({
    keys: KEYS.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
    clientOptions: { baseURL: offlineBase, fetch: cannedFetch },
  }).client,
);

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
};
const round = (value: number): number => Math.round(value * 1000) / 1000;
function stats(times: { direct: number[]; pool: number[] }) {
  const paired = times.direct.map((time, index) => times.pool[index]! - time);
  return {
    direct: { medianMs: round(quantile(times.direct, 0.5)), p99Ms: round(quantile(times.direct, 0.99)) },
    pool: { medianMs: round(quantile(times.pool, 0.5)), p99Ms: round(quantile(times.pool, 0.99)) },
    added: {
      medianMs: round(quantile(times.pool, 0.5) - quantile(times.direct, 0.5)),
      p99Ms: round(quantile(times.pool, 0.99) - quantile(times.direct, 0.99)),
      pairedMedianMs: round(quantile(paired, 0.5)),
    },
  };
}
const emulatorStats = stats(overEmulator);
const summary = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverage1m: round(loadavg()[0] ?? 0),
  calls: CALLS,
  warmup: WARMUP,
  keys: KEYS.length,
  ...emulatorStats,
  inProcess: stats(inProcess),
  targets: { medianMs: 0.05, p99Ms: 0.3 },
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/overhead.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`against the emulator (load average ${summary.loadAverage1m} on ${summary.cpus} cpus):`);
console.log(`direct   median ${summary.direct.medianMs} ms  p99 ${summary.direct.p99Ms} ms`);
console.log(`pool     median ${summary.pool.medianMs} ms  p99 ${summary.pool.p99Ms} ms`);
console.log(
  `added    median ${summary.added.medianMs} ms  p99 ${summary.added.p99Ms} ms  (paired median ${summary.added.pairedMedianMs} ms)`,
);
const offline = summary.inProcess;
console.log('in process, canned responses (no network):');
console.log(`direct   median ${offline.direct.medianMs} ms  p99 ${offline.direct.p99Ms} ms`);
console.log(`pool     median ${offline.pool.medianMs} ms  p99 ${offline.pool.p99Ms} ms`);
console.log(
  `added    median ${offline.added.medianMs} ms  p99 ${offline.added.p99Ms} ms  (paired median ${offline.added.pairedMedianMs} ms)`,
);
