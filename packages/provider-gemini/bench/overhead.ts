/**
 * Added latency of `pool.client` over a plain `GoogleGenAI` client: the same non-streaming `generateContent` call,
 * made directly and through the pool, interleaved, against the local emulator. Run: `pnpm --filter @keypool/gemini
 * bench` (needs @keypool/core and @keypool/emulator built). Writes bench/results/overhead.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
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

// The same comparison with the network taken out (a canned response from a fake fetch given to both clients): the
// CPU the pool adds per call, without the emulator's and the socket's noise.
const canned = JSON.stringify({
  candidates: [{ content: { parts: [{ text: 'hi' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
});
const fakeFetch = async () =>
  new Response(canned, { status: 200, headers: { 'content-type': 'application/json' } });
const offlineOptions = { baseUrl: 'http://127.0.0.1:9', fetch: fakeFetch };
const offlineDirect = new GoogleGenAI({ apiKey: KEY, httpOptions: offlineOptions });
const offlinePool = createGeminiPool({
  keys: [{ id: 'bench', secret: KEY }],
  clientOptions: { httpOptions: offlineOptions },
});
const offlineCalls = CALLS * 5;
const cpuDirectMs: number[] = [];
const cpuPoolMs: number[] = [];
for (let index = 0; index < WARMUP * 5; index++) {
  await offlineDirect.models.generateContent(params);
  await offlinePool.client.models.generateContent(params);
}
for (let index = 0; index < offlineCalls; index++) {
  if (index % 2 === 0) {
    cpuDirectMs.push(await timed(() => offlineDirect.models.generateContent(params)));
    cpuPoolMs.push(await timed(() => offlinePool.client.models.generateContent(params)));
  } else {
    cpuPoolMs.push(await timed(() => offlinePool.client.models.generateContent(params)));
    cpuDirectMs.push(await timed(() => offlineDirect.models.generateContent(params)));
  }
}

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
  cpuOnly: {
    calls: offlineCalls,
    direct: summary(cpuDirectMs),
    pool: summary(cpuPoolMs),
    added: {
      medianMs: round(quantile(cpuPoolMs, 0.5) - quantile(cpuDirectMs, 0.5)),
      p99Ms: round(quantile(cpuPoolMs, 0.99) - quantile(cpuDirectMs, 0.99)),
    },
  },
  loadAverage: loadavg().map(round),
};
console.log(`direct   median ${result.direct.medianMs} ms   p99 ${result.direct.p99Ms} ms`);
console.log(`pool     median ${result.pool.medianMs} ms   p99 ${result.pool.p99Ms} ms`);
console.log(
  `added    median ${result.added.medianMs} ms   p99 ${result.added.p99Ms} ms   (paired median ${result.added.pairedMedianMs} ms; target <= ${result.target.medianMs} / ${result.target.p99Ms})`,
);
console.log(
  `cpu only (fake fetch, ${offlineCalls} calls each): direct median ${result.cpuOnly.direct.medianMs} ms, pool median ${result.cpuOnly.pool.medianMs} ms, added median ${result.cpuOnly.added.medianMs} ms, p99 ${result.cpuOnly.added.p99Ms} ms`,
);
console.log(`load average during the run: ${result.loadAverage.join(' ')}`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/overhead.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
