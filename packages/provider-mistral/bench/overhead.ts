/**
 * The pool's added latency on a plain (non-streaming) Mistral call: the same `chat.complete` made directly with the
 * SDK and through `pool.client`, interleaved, in one run.
 *
 * Two setups:
 * - `emulator`: both clients talk HTTP to @keypool/emulator on 127.0.0.1 (the real path, with network noise);
 * - `in-process`: both clients use a fetch that answers a canned response at once, so only the client-side cost is
 *   left (the pool's own overhead, without the network's jitter).
 *
 * Run: `pnpm turbo run bench --filter @keypool/mistral` (builds this package and its dependencies first), or
 * `node bench/overhead.ts` once they are built. Options: BENCH_CALLS (default 2000), BENCH_WARMUP (default 300).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { startEmulator } from '@keypool/emulator';
import { createMistralPool } from '@keypool/mistral';
import { Mistral } from '@mistralai/mistralai';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const MODEL = 'mistral-small-latest';
const KEYS = [
  'BenchKeyA7Rk2Lm9Xp4Tn6Wv1Ys3Ub8H',
  'BenchKeyB7Rk2Lm9Xp4Tn6Wv1Ys3Ub8H',
  'BenchKeyC7Rk2Lm9Xp4Tn6Wv1Ys3Ub8H',
];
const request = {
  model: MODEL,
  messages: [{ role: 'user' as const, content: 'hello there world' }],
  maxTokens: 16,
};

type Call = () => Promise<unknown>;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return {
    medianMs: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(samples.reduce((sum, value) => sum + value, 0) / samples.length),
  };
}

async function measure(direct: Call, pooled: Call) {
  for (let index = 0; index < WARMUP; index++) {
    await direct();
    await pooled();
  }
  const directTimes: number[] = [];
  const pooledTimes: number[] = [];
  for (let index = 0; index < CALLS; index++) {
    // Alternate which goes first so neither always runs on a warmer connection or heap.
    const order: [Call, number[]][] =
      index % 2 === 0
        ? [
            [direct, directTimes],
            [pooled, pooledTimes],
          ]
        : [
            [pooled, pooledTimes],
            [direct, directTimes],
          ];
    for (const [call, times] of order) {
      const started = performance.now();
      await call();
      times.push(performance.now() - started);
    }
  }
  const directStats = stats(directTimes);
  const pooledStats = stats(pooledTimes);
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return {
    direct: directStats,
    pool: pooledStats,
    added: {
      medianMs: round(pooledStats.medianMs - directStats.medianMs),
      p99Ms: round(pooledStats.p99Ms - directStats.p99Ms),
      meanMs: round(pooledStats.meanMs - directStats.meanMs),
    },
  };
}

const canned = JSON.stringify({
  id: 'bench',
  object: 'chat.completion',
  model: MODEL,
  created: 1,
  choices: [
    { index: 0, message: { role: 'assistant', content: 'Echo: hello there world' }, finish_reason: 'stop' },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
});
const cannedFetch = async () =>
  new Response(canned, {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'x-ratelimit-limit-req-minute': '100000',
      'x-ratelimit-remaining-req-minute': '99999',
    },
  });

const emulator = await startEmulator({
  windowMs: 60_000,
  maxLogEntries: 1_000,
  keys: Object.fromEntries(KEYS.map((key) => [key, {}])),
});
try {
  const serverURL = emulator.baseURLs.mistral;
  const directClient = new Mistral({ apiKey: KEYS[0], serverURL });
  const pool = createMistralPool({
    keys: KEYS.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
    clientOptions: { serverURL },
  });
  const overEmulator = await measure(
    () => directClient.chat.complete(request),
    () => pool.client.chat.complete(request),
  );

  const { HTTPClient } = await import('@mistralai/mistralai');
  const directInProcess = new Mistral({
    apiKey: KEYS[0],
    serverURL,
    httpClient: new HTTPClient({ fetcher: cannedFetch }),
  });
  const poolInProcess = createMistralPool({
    keys: KEYS.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
    clientOptions: { serverURL, fetch: cannedFetch },
  });
  const inProcess = await measure(
    () => directInProcess.chat.complete(request),
    () => poolInProcess.client.chat.complete(request),
  );

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    calls: CALLS,
    warmup: WARMUP,
    keys: KEYS.length,
    target: { addedMedianMs: 0.05, addedP99Ms: 0.3 },
    emulator: overEmulator,
    inProcess,
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/overhead.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  const line = (label: string, run: typeof overEmulator) =>
    `${label.padEnd(11)} direct median ${run.direct.medianMs.toFixed(3)} ms p99 ${run.direct.p99Ms.toFixed(3)} ms | pool median ${run.pool.medianMs.toFixed(3)} ms p99 ${run.pool.p99Ms.toFixed(3)} ms | added median ${run.added.medianMs.toFixed(3)} ms p99 ${run.added.p99Ms.toFixed(3)} ms`;
  process.stdout.write(`${line('emulator', overEmulator)}\n${line('in-process', inProcess)}\n`);
} finally {
  await emulator.close();
}
