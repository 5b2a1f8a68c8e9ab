/** Renders the goodput benchmark's results as a Markdown table (printed by the run and kept beside the JSON). */
import type { GoodputResult } from './goodput.ts';

const percent = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '-');
const ms = (value: number): string => (Number.isFinite(value) ? String(Math.round(value)) : '-');

/** One row per variant: goodput (whole run and second half), 429 shares, failed calls and latency. */
export function renderGoodputTable(results: readonly GoodputResult[]): string {
  const header =
    '| variant | goodput (of K x R) | goodput, 2nd half | upstream requests answered 429 | calls that saw a 429 | calls failed | p50 ms | p99 ms |';
  const rule = '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const rows = results.map(
    (result) =>
      `| ${result.label} | ${percent(result.goodput)} | ${percent(result.goodputSecondHalf)} | ${percent(result.share429)} (${result.upstream429}/${result.upstreamRequests}) | ${percent(result.callsSaw429)} | ${result.failed} | ${ms(result.p50Ms)} | ${ms(result.p99Ms)} |`,
  );
  return [header, rule, ...rows].join('\n');
}
