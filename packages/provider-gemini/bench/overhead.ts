/**
 * Added latency of `pool.client` over a plain `GoogleGenAI` client: the same non-streaming `generateContent` call,
 * made directly and through the pool, interleaved, against the local emulator. Run: `pnpm --filter @keypool/gemini
 * bench` (needs @keypool/core and @keypool/emulator built). Writes bench/results/overhead.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { GoogleGenAI } from '@google/genai';
import { startEmulator } from '@keypool/emulator';
import { createGeminiPool } from '../src/index.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 2_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const KEY = 'AIzaSyBENCH-0000000000000000000000000001';
const MODEL = 'gemini-2.5-flash';

const emu = await startEmulator({ keys: { [KEY]: {} }, maxLogEntries: 10 });
const httpOptions = { baseUrl: emu.baseURLs.gemini };
const direct = new GoogleGenAI({ apiKey: KEY, httpOptions });
const pool = createGeminiPool({ keys: [{ id: 'bench', secret: KEY }], clientOptions: { httpOptions } });
const params = { model: MODEL, contents: 'hello' };

async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

const callDirect = () => direct.models.generateContent(params);
const callPool = () => pool.client.models.generateContent(params);

for (let index = 0; index < WARMUP; index++) {
  await callDirect();
  await callPool();
}

const directMs: number[] = [];
const poolMs: number[] = [];
for (let index = 0; index < CALLS; index++) {
  // Alternate which goes first, so neither always runs on a warmer socket.
  if (index % 2 === 0) {
    directMs.push(await timed(callDirect));
    poolMs.push(await timed(callPool));
  } else {
    poolMs.push(await timed(callPool));
    directMs.push(await timed(callDirect));
  }
}
await emu.close();

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

const round = (value: number) => Math.round(value * 1_000) / 1_000;
const summary = (values: readonly number[]) => ({
  medianMs: round(quantile(values, 0.5)),
  p99Ms: round(quantile(values, 0.99)),
});
const paired = directMs.map((value, index) => poolMs[index]! - value);
const result = {
  benchmark: 'gemini pool.client overhead (models.generateContent, non-streaming)',
  date: new Date().toISOString(),
  node: process.version,
  calls: CALLS,
  warmup: WARMUP,
  direct: summary(directMs),
  pool: summary(poolMs),
  added: {
    medianMs: round(quantile(poolMs, 0.5) - quantile(directMs, 0.5)),
    p99Ms: round(quantile(poolMs, 0.99) - quantile(directMs, 0.99)),
    pairedMedianMs: round(quantile(paired, 0.5)),
  },
  target: { medianMs: 0.05, p99Ms: 0.3 },
};
console.log(`direct   median ${result.direct.medianMs} ms   p99 ${result.direct.p99Ms} ms`);
console.log(`pool     median ${result.pool.medianMs} ms   p99 ${result.pool.p99Ms} ms`);
console.log(
  `added    median ${result.added.medianMs} ms   p99 ${result.added.p99Ms} ms   (paired median ${result.added.pairedMedianMs} ms; target <= ${result.target.medianMs} / ${result.target.p99Ms})`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/overhead.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
