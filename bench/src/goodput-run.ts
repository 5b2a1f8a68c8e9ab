/**
 * `pnpm bench:goodput` (also the last part of `pnpm bench:compare`): the goodput benchmark in one run. Prints a table
 * and writes bench/results/goodput-<date>.json and bench/results/goodput-latest.md.
 *
 * Environment: GOODPUT_KEYS (K, default 3), GOODPUT_RPS (R, default 20), GOODPUT_SECONDS (per variant, default 20),
 * GOODPUT_CONCURRENCY (default 30), GOODPUT_ONLY (variant ids, comma-separated: keypool-configured, keypool-headers,
 * keypool-429s, round-robin).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { GOODPUT_VARIANTS, type GoodputVariantId, runGoodput } from './goodput.ts';
import { renderGoodputTable } from './goodput-table.ts';
import { describeMachine, loadAverage } from './machine.ts';

const keys = Number(process.env.GOODPUT_KEYS ?? 3);
const rps = Number(process.env.GOODPUT_RPS ?? 20);
const durationMs = Number(process.env.GOODPUT_SECONDS ?? 20) * 1000;
const concurrency = Number(process.env.GOODPUT_CONCURRENCY ?? 30);
const only = process.env.GOODPUT_ONLY?.split(',').map((id) => id.trim() as GoodputVariantId);
const unknown = only?.filter((id) => !GOODPUT_VARIANTS.some((variant) => variant.id === id));
if (unknown !== undefined && unknown.length > 0) {
  throw new Error(
    `GOODPUT_ONLY: unknown variant ${unknown.join(', ')} (known: ${GOODPUT_VARIANTS.map(({ id }) => id).join(', ')})`,
  );
}
const log = (message: string): void => console.log(message);

const started = new Date();
const loadAtStart = loadAverage();
const m = describeMachine(loadAtStart);
log(`machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, load average ${loadAtStart.join(' / ')}`);
log(
  `goodput: K = ${keys} keys x R = ${rps} req/s (fixed 1 s windows), ${concurrency} in flight, ${durationMs} ms per variant`,
);
const results = await runGoodput({
  keys,
  rps,
  concurrency,
  durationMs,
  log,
  ...(only ? { variants: only } : {}),
});
const machine = describeMachine(loadAtStart);
const table = renderGoodputTable(results);
const report = {
  date: started.toISOString(),
  machine,
  setup: {
    keys,
    rps,
    concurrency,
    durationMs,
    emulator:
      "each key { rpm: R, window: 'fixed' }, windowMs 1000, rateLimitHeaders per variant; a fresh emulator per variant",
    variants: GOODPUT_VARIANTS.map(({ id, settings }) => ({ id, settings })),
  },
  notes: [
    'Goodput = calls that succeeded within the run / run seconds / (K x R). "2nd half" counts only the second half of the run, after any learning.',
    'Upstream figures come from the emulator\'s request log; "calls that saw a 429" from a fetch that records each call\'s upstream statuses.',
    `The machine is shared and loaded (2 cores, several sessions at once; load average ${loadAtStart.join(' / ')} at start, ${machine.loadAverage.atEnd.join(' / ')} at end): latencies are inflated and goodput can lose a few points to the client being starved of CPU.`,
  ],
  results,
};
const dir = new URL('../results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(
  new URL(`goodput-${report.date.slice(0, 10)}.json`, dir),
  `${JSON.stringify(report, null, 2)}\n`,
);
writeFileSync(
  new URL('goodput-latest.md', dir),
  `# Goodput, ${report.date}\n\nK = ${keys} x R = ${rps} req/s, ${concurrency} in flight, ${durationMs / 1000} s per variant; load average ${loadAtStart.join(' / ')} (start), ${machine.loadAverage.atEnd.join(' / ')} (end).\n\n${table}\n`,
);
log(`\n${table}\n`);
log(`wrote bench/results/goodput-${report.date.slice(0, 10)}.json and goodput-latest.md`);
process.exit(0);
