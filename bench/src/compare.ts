/**
 * `pnpm bench:compare`: Keypool against what users would pick instead, side by side on the emulator, in one run.
 * Writes bench/results/<date>.json, bench/results/latest.md and bench/results/latest.svg.
 *
 * Environment: BENCH_ONLY=healthy,limited,recovery,capacity,revoked,outage (a subset), BENCH_SCALE (multiplies the
 * call counts, default 1), BENCH_DEADLINE_MS (the whole run's hard deadline, default 270000).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ALL_CONTENDERS } from './contenders.ts';
import { describeMachine, loadAverage } from './machine.ts';
import { type Gateway, startGateway } from './portkey.ts';
import { type BenchReport, renderMarkdown, renderSvg, type ScenarioResult } from './report.ts';
import { runScenarios } from './scenarios.ts';

const started = Date.now();
const deadlineMs = Number(process.env.BENCH_DEADLINE_MS ?? 270_000);
const scale = Number(process.env.BENCH_SCALE ?? 1);
const only = process.env.BENCH_ONLY?.split(',').map((id) => id.trim());
const loadAtStart = loadAverage();
const log = (message: string): void => console.log(message);

function versionOf(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
const versions = Object.fromEntries(
  [
    'openai',
    '@anthropic-ai/sdk',
    '@portkey-ai/gateway',
    'ai',
    '@ai-sdk/openai',
    '@ai-sdk/anthropic',
    'ai-retry',
    'ai-fallback',
    '@langchain/core',
    '@langchain/openai',
    '@langchain/anthropic',
  ].map((name) => [name, versionOf(name)]),
);

const NOTES = [
  'Every contender runs alone against its own fresh emulator (scenarios 2-6) with the same keys, calls and deadline; scenario 1 interleaves all of them with a direct SDK call on one emulator. Figures are medians, counts and ratios from this one run.',
  'Upstream attempts, 429s and per-key shares come from the emulator\'s request log. "Calls that saw a 429" is exact for in-process contenders (each SDK gets a fetch that records the statuses of the call\'s attempts); for the gateway it is read from its response headers (a retry or a fallback inside the call).',
  'Keypool waits at most maxWaitMs for a cooling or rate-limited key: 1 s in scenarios 2, 5 and 6, two windows (2 s) in scenarios 3 and 4, about what the SDK\'s two retries may wait with one retry-after each. "Limits configured" gives each key its rpm; "limits learned" configures none and reads the x-ratelimit headers.',
  "The Portkey gateway is its npm build as shipped: its repository patches async-retry at install (patch-package), the npm package does not, so `use_retry_after_header` cannot reset the backoff; 429s are then retried on async-retry's default backoff (1 s, 2 s). It listens on 127.0.0.1 only (a --import preload pins net.Server#listen to loopback).",
  'Served % counts calls answered before the scenario\'s deadline (plus 1 s of grace); calls not started by then count as not served. The chart\'s "-" is a ratio with nothing served.',
  'Scenario 1: the "openai SDK, 1 key" row is the same kind of client as the baseline (only its retry setting differs), so its figures are the run\'s noise floor. The p99 differences are dominated by the machine\'s load; the no-network and CPU-time columns are the steadier measure of what each library itself adds.',
  'ai-retry and ai-fallback keep their state on the model instance, which the AI SDK has one of per app: concurrent calls share it (ai-retry counts attempts across them, so a call can fail "after N attempts" while a fallback is healthy; ai-fallback switches every concurrent caller to the next key and stays there).',
  'The bare SDK and the naive round-robin have no cross-provider fallback, so they do not run scenario 6. The bare SDK has one key (key-1, the key that is rate-limited or revoked in scenarios 2 and 5): it has nowhere else to go.',
];

const report: BenchReport = {
  date: new Date(started).toISOString(),
  machine: describeMachine(loadAtStart),
  durationMs: 0,
  truncated: false,
  versions,
  contenders: [],
  scenarios: [],
  notes: NOTES,
};

function write(): void {
  report.durationMs = Date.now() - started;
  report.machine = describeMachine(loadAtStart);
  const results = new URL('../results/', import.meta.url);
  mkdirSync(results, { recursive: true });
  writeFileSync(new URL(`${report.date.slice(0, 10)}.json`, results), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL('latest.md', results), renderMarkdown(report));
  writeFileSync(new URL('latest.svg', results), renderSvg(report));
}

let gateway: Gateway | undefined;
const hardStop = setTimeout(() => {
  log(`overall deadline of ${deadlineMs} ms reached: writing what was measured and stopping`);
  report.truncated = true;
  write();
  process.exit(1);
}, deadlineMs);

const m = report.machine;
log(
  `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, load average ${loadAtStart.join(' / ')}`,
);
let gatewayProblem: string | undefined;
try {
  gateway = await startGateway();
  log(`portkey gateway ${gateway.version} at ${gateway.baseURL}`);
} catch (error) {
  gatewayProblem = `the gateway did not start: ${error instanceof Error ? error.message.slice(0, 160) : String(error)}`;
  log(gatewayProblem);
}

const contenders = ALL_CONTENDERS;
report.contenders = contenders.map((contender) => ({ label: contender.label, settings: contender.settings }));
try {
  await runScenarios(
    {
      contenders,
      gateway,
      ...(gatewayProblem === undefined ? {} : { gatewayProblem }),
      scale,
      log,
    },
    only,
    (result: ScenarioResult) => {
      report.scenarios.push(result);
      write();
    },
  );
} finally {
  await gateway?.close();
}
clearTimeout(hardStop);
write();
log(`\n${renderMarkdown(report)}`);
log(`wrote bench/results/${report.date.slice(0, 10)}.json, latest.md and latest.svg`);
// Calls abandoned at a scenario's deadline may still hold sockets or timers: do not wait for them.
process.exit(0);
