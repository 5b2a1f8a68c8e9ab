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

const direct = new Anthropic({ apiKey: keys[0], baseURL, maxRetries: 0 });
const pool = createAnthropicPool({
  keys: keys.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
  clientOptions: { baseURL },
});
const params = {
  model: 'claude-bench',
  max_tokens: 32,
  messages: [{ role: 'user' as const, content: 'measure me' }],
};

const directTimes: number[] = [];
const pooledTimes: number[] = [];
async function timed(call: () => Promise<unknown>, into: number[] | undefined): Promise<void> {
  const started = performance.now();
  await call();
  const elapsed = performance.now() - started;
  into?.push(elapsed);
}
const callDirect = () => direct.messages.create(params);
const callPooled = () => pool.client.messages.create(params);

for (let index = 0; index < warmup; index++) {
  await timed(callDirect, undefined);
  await timed(callPooled, undefined);
}
for (let index = 0; index < calls; index++) {
  // Alternate which goes first, so neither always runs on a just-warmed connection.
  if (index % 2 === 0) {
    await timed(callDirect, directTimes);
    await timed(callPooled, pooledTimes);
  } else {
    await timed(callPooled, pooledTimes);
    await timed(callDirect, directTimes);
  }
}
await pool.close();
await emu.close();

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
const directSummary = summary(directTimes);
const pooledSummary = summary(pooledTimes);
const result = {
  benchmark: 'messages.create, non-streaming, direct SDK vs pool.client, interleaved, emulator on 127.0.0.1',
  sdk: '@anthropic-ai/sdk',
  node: process.version,
  calls,
  warmup,
  direct: directSummary,
  pooled: pooledSummary,
  added: {
    medianMs: round(pooledSummary.medianMs - directSummary.medianMs),
    p99Ms: round(pooledSummary.p99Ms - directSummary.p99Ms),
  },
  // The same, from each iteration's pair (pooled minus direct, run back to back): less sensitive to a noisy machine.
  pairedDifference: summary(pooledTimes.map((pooled, index) => pooled - directTimes[index]!)),
  loadAverage: loadavg().map(round),
  target: { medianMs: 0.05, p99Ms: 0.3 },
  measuredAt: new Date().toISOString(),
};
writeFileSync(new URL('./results/overhead.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(`direct  median ${directSummary.medianMs} ms  p99 ${directSummary.p99Ms} ms`);
console.log(`pooled  median ${pooledSummary.medianMs} ms  p99 ${pooledSummary.p99Ms} ms`);
console.log(
  `added   median ${result.added.medianMs} ms  p99 ${result.added.p99Ms} ms  (target <= 0.05 / 0.3)`,
);
