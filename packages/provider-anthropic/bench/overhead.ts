/**
 * Overhead of the pool: the same plain (non-streaming) `messages.create` call made directly with the SDK and through
 * `pool.client`, interleaved, against the emulator on 127.0.0.1, in one run. Prints the median and p99 of each and
 * the added latency, and writes bench/results/overhead.json.
 *
 *   node bench/overhead.ts [calls=2000] [warmup=300]
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { loadavg } from 'node:os';

// Run the workspace packages from their TypeScript sources (the `@keypool/source` condition), as tests do.
registerHooks({
  resolve(specifier, context, next) {
    const conditions = [...new Set(['@keypool/source', ...(context.conditions ?? [])])];
    try {
      return next(specifier, { ...context, conditions });
    } catch (error) {
      const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
      if (!missing || !specifier.startsWith('.') || /\.[cm]?[jt]s$/.test(specifier)) throw error;
      return next(`${specifier}.ts`, { ...context, conditions });
    }
  },
});

const { default: Anthropic } = await import('@anthropic-ai/sdk');
const { startEmulator } = await import('@keypool/emulator');
const { createAnthropicPool } = await import('../src/index.ts');

const calls = Number(process.argv[2] ?? 2000);
const warmup = Number(process.argv[3] ?? 300);
const keys = [
  'sk-ant-bench-aaaaaaaaaaaaaaaa',
  'sk-ant-bench-bbbbbbbbbbbbbbbb',
  'sk-ant-bench-cccccccccccccccc',
];
const emu = await startEmulator({
  keys: Object.fromEntries(keys.map((key) => [key, {}])),
  maxLogEntries: 10,
});
const baseURL = emu.baseURLs.anthropic;

const params = {
  model: 'claude-bench',
  max_tokens: 32,
  messages: [{ role: 'user' as const, content: 'measure me' }],
};

interface Run {
  direct: number[];
  pooled: number[];
}

/** Times `direct` and `pooled` alternately, one call in flight, after a warm-up. */
async function measure(direct: () => Promise<unknown>, pooled: () => Promise<unknown>): Promise<Run> {
  const run: Run = { direct: [], pooled: [] };
  const timed = async (call: () => Promise<unknown>, into: number[] | undefined) => {
    const started = performance.now();
    await call();
    into?.push(performance.now() - started);
  };
  for (let index = 0; index < warmup; index++) {
    await timed(direct, undefined);
    await timed(pooled, undefined);
  }
  for (let index = 0; index < calls; index++) {
    // Alternate which goes first, so neither always runs on a just-warmed connection.
    if (index % 2 === 0) {
      await timed(direct, run.direct);
      await timed(pooled, run.pooled);
    } else {
      await timed(pooled, run.pooled);
      await timed(direct, run.direct);
    }
  }
  return run;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}
const round = (value: number) => Math.round(value * 1000) / 1000;
const summary = (values: number[]) => ({
  medianMs: round(quantile(values, 0.5)),
  p99Ms: round(quantile(values, 0.99)),
});
function report(run: Run) {
  const direct = summary(run.direct);
  const pooled = summary(run.pooled);
  return {
    direct,
    pooled,
    added: { medianMs: round(pooled.medianMs - direct.medianMs), p99Ms: round(pooled.p99Ms - direct.p99Ms) },
    // Each iteration's pair (pooled minus direct, run back to back): less sensitive to a noisy machine.
    pairedDifference: summary(run.pooled.map((time, index) => time - run.direct[index]!)),
  };
}

// 1. Over HTTP, against the emulator.
const directClient = new Anthropic({ apiKey: keys[0], baseURL, maxRetries: 0 });
const pool = createAnthropicPool({
  keys: keys.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
  clientOptions: { baseURL },
});
const overHttp = report(
  await measure(
    () => directClient.messages.create(params),
    () => pool.client.messages.create(params),
  ),
);
await pool.close();
await emu.close();

// 2. In process: a fetch that answers at once (no socket), so only the CPU the pool adds remains.
const body = JSON.stringify({
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: 'claude-bench',
  content: [{ type: 'text', text: 'Echo: measure me' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 5 },
});
const instantFetch = async () =>
  new Response(body, { headers: { 'content-type': 'application/json', 'request-id': 'req_bench' } });
const instantBase = 'http://127.0.0.1:9/anthropic';
const instantDirect = new Anthropic({
  apiKey: keys[0],
  baseURL: instantBase,
  maxRetries: 0,
  fetch: instantFetch,
});
const instantPool = createAnthropicPool({
  keys: keys.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
  clientOptions: { baseURL: instantBase, fetch: instantFetch },
});
const inProcess = report(
  await measure(
    () => instantDirect.messages.create(params),
    () => instantPool.client.messages.create(params),
  ),
);
await instantPool.close();

const result = {
  benchmark: 'messages.create, non-streaming, direct SDK vs pool.client, interleaved, one call in flight',
  sdk: '@anthropic-ai/sdk',
  node: process.version,
  calls,
  warmup,
  overHttp: { against: 'emulator on 127.0.0.1', ...overHttp },
  inProcess: { against: 'a fetch that answers at once', ...inProcess },
  target: { addedMedianMs: 0.05, addedP99Ms: 0.3 },
  loadAverage: loadavg().map(round),
  measuredAt: new Date().toISOString(),
};
writeFileSync(new URL('./results/overhead.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
for (const [name, run] of [
  ['over HTTP ', overHttp],
  ['in process', inProcess],
] as const) {
  console.log(
    `${name}: direct median ${run.direct.medianMs} ms p99 ${run.direct.p99Ms} ms | pooled median ${run.pooled.medianMs} ms p99 ${run.pooled.p99Ms} ms`,
  );
  console.log(
    `${name}: added median ${run.added.medianMs} ms p99 ${run.added.p99Ms} ms | paired median ${run.pairedDifference.medianMs} ms p99 ${run.pairedDifference.p99Ms} ms`,
  );
}
console.log(`target: added <= 0.05 ms median, <= 0.3 ms p99; load average ${result.loadAverage.join(' ')}`);
