/**
 * `pnpm bench:gateway`: the gateway benchmark in one short run (see gateway-bench.ts). Prints the figures and writes
 * bench/results/gateway-<date>.json and bench/results/gateway-latest.md.
 *
 * Environment: GATEWAY_ROUNDS (interleaved latency rounds, default 300), GATEWAY_WARMUP (default 200),
 * GATEWAY_IN_PROCESS_CALLS (default 400), GATEWAY_GOODPUT_CALLS (default 80), GATEWAY_CONCURRENCY (default 4).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runGatewayBench } from './gateway-bench.ts';
import { renderGatewayTables, targets } from './gateway-table.ts';
import { describeMachine, loadAverage } from './machine.ts';

const options = {
  rounds: Number(process.env.GATEWAY_ROUNDS ?? 300),
  warmup: Number(process.env.GATEWAY_WARMUP ?? 200),
  inProcessCalls: Number(process.env.GATEWAY_IN_PROCESS_CALLS ?? 400),
  goodputCalls: Number(process.env.GATEWAY_GOODPUT_CALLS ?? 80),
  concurrency: Number(process.env.GATEWAY_CONCURRENCY ?? 4),
};
for (const [name, value] of Object.entries(options)) {
  if (!Number.isInteger(value) || value < (name === 'warmup' ? 0 : 1))
    throw new Error(`gateway bench: ${name} must be a positive integer, got ${value}`);
}
const log = (message: string): void => console.log(message);

function versionOf(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const started = new Date();
const loadAtStart = loadAverage();
const m = describeMachine(loadAtStart);
log(`machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, load average ${loadAtStart.join(' / ')}`);
const result = await runGatewayBench({ ...options, log });
const machine = describeMachine(loadAtStart);
const tables = renderGatewayTables(result);
const report = {
  date: started.toISOString(),
  durationMs: Date.now() - started.getTime(),
  machine,
  setup: {
    ...options,
    upstream:
      '@keypool/emulator on 127.0.0.1 (in this process), one chat completion, max_completion_tokens 8',
    keypool:
      'the built @keypool/gateway (serveGatewayFile, what `keypool serve` runs) in a child process on 127.0.0.1, two OpenAI keys',
    portkey:
      '@portkey-ai/gateway as shipped, child process forced onto 127.0.0.1, x-portkey-config: loadbalance over the same keys, each group falling back over the others',
    client: 'openai SDK, maxRetries 0, one call at a time; the paths interleaved call by call',
    goodput:
      '3 healthy keys and one with rpm 0 (every request answered 429), a fresh gateway pool per gateway',
  },
  versions: Object.fromEntries(['openai', '@portkey-ai/gateway'].map((name) => [name, versionOf(name)])),
  result,
  targets: targets(result),
};
const dir = new URL('../results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(
  new URL(`gateway-${report.date.slice(0, 10)}.json`, dir),
  `${JSON.stringify(report, null, 2)}\n`,
);
const header = `# Gateway overhead, ${report.date}\n\n${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${loadAtStart.join(' / ')} (start), ${machine.loadAverage.atEnd.join(' / ')} (end); ${options.rounds} interleaved rounds; Portkey ${'version' in result.portkey ? result.portkey.version : `skipped: ${result.portkey.skipped}`}.`;
writeFileSync(new URL('gateway-latest.md', dir), `${header}\n\n${tables}\n`);
log(`\n${header}\n\n${tables}\n`);
log(`wrote bench/results/gateway-${report.date.slice(0, 10)}.json and gateway-latest.md`);
process.exit(0);
