/**
 * `node src/gateway-profile.ts`: profiles the Keypool gateway process while an openai SDK client drives it, as the
 * gateway benchmark does (emulator and client in this process, the built gateway in a child process run with
 * `--cpu-prof`). Prints the functions with the most self time and the gateway's CPU per call, and leaves the
 * `.cpuprofile` in the printed folder (open it in Chrome DevTools).
 *
 * Environment: PROFILE_CALLS (calls measured, default 2000), PROFILE_WARMUP (default 300), PROFILE_TOP (rows, 30).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { processCpuMs, startKeypoolGateway } from './gateway-processes.ts';
import { median, quantile, round } from './stats.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time (ms) per function of a `.cpuprofile`, most first, counting only the samples taken from `fromUs` on (the
 * monotonic clock in µs, as `process.hrtime` and V8 read it), so the start-up and the warm-up are left out.
 */
export function selfTimes(profile: CpuProfile, fromUs = 0): { name: string; ms: number; share: number }[] {
  const byNode = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*node_modules\//, '').replace(/^.*\/(packages|apps)\//, '');
    byNode.set(node.id, `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`);
  }
  const totals = new Map<string, number>();
  let all = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (at < fromUs) return;
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    all += ms;
    const name = byNode.get(id) ?? '?';
    totals.set(name, (totals.get(name) ?? 0) + ms);
  });
  return [...totals]
    .map(([name, ms]) => ({ name, ms: round(ms), share: round(ms / all) }))
    .sort((a, b) => b.ms - a.ms);
}

const calls = Number(process.env.PROFILE_CALLS ?? 2000);
const warmup = Number(process.env.PROFILE_WARMUP ?? 300);
const top = Number(process.env.PROFILE_TOP ?? 30);
const keys = ['sk-gwprofile-0001', 'sk-gwprofile-0002'];
const directory = mkdtempSync(join(tmpdir(), 'keypool-gateway-profile-'));
const emulator = await startEmulator({ keys: Object.fromEntries(keys.map((key) => [key, {}])) });
const gateway = await startKeypoolGateway(emulator.baseURLs.openai, keys, directory, 30_000, [
  '--cpu-prof',
  `--cpu-prof-dir=${directory}`,
]);
const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: 'unused', maxRetries: 0 });
const times: number[] = [];
let cpuBefore = 0;
let measuredFromUs = 0;
try {
  for (let index = -warmup; index < calls; index++) {
    if (index === 0) {
      cpuBefore = processCpuMs(gateway.pid);
      measuredFromUs = Number(process.hrtime.bigint() / 1000n);
    }
    const started = performance.now();
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `ping ${index}` }],
      max_completion_tokens: 8,
    });
    if (index >= 0) times.push(performance.now() - started);
  }
} finally {
  const cpu = processCpuMs(gateway.pid) - cpuBefore;
  await gateway.close();
  await emulator.close();
  console.log(
    `${calls} calls: p50 ${round(median(times))} ms, p99 ${round(quantile(times, 0.99))} ms, gateway CPU ${round(cpu / calls)} ms / call`,
  );
}
const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
if (file) {
  const rows = selfTimes(
    JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile,
    measuredFromUs,
  );
  for (const row of rows.slice(0, top)) {
    console.log(`${String(row.ms).padStart(9)} ms ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}`);
  }
  console.log(`profile: ${join(directory, file)}`);
}
