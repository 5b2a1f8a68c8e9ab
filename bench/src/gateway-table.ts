/** Renders the gateway benchmark's results as Markdown (printed by the run and kept beside the JSON). */
import type { GatewayBenchResult, GoodputFigures, PathFigures } from './gateway-bench.ts';

/** The targets: added p50 at most 0.3 ms, and at most a fifth of Portkey's in the same run. */
export const TARGET_ADDED_P50_MS = 0.3;
export const TARGET_SHARE_OF_PORTKEY = 0.2;

const number = (value: number | undefined, digits = 3): string =>
  value === undefined || !Number.isFinite(value) ? '-' : String(Number(value.toFixed(digits)));
const percent = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '-');

/** Whether the Keypool gateway met the targets in a run (undefined for the Portkey share when it did not run). */
export function targets(result: GatewayBenchResult): {
  addedP50Ms: number;
  metAddedP50: boolean;
  shareOfPortkey?: number;
  metShareOfPortkey?: boolean;
} {
  const keypool = result.latency.keypool!;
  const portkey = result.latency.portkey;
  const share = portkey && portkey.addedP50Ms > 0 ? keypool.addedP50Ms / portkey.addedP50Ms : undefined;
  return {
    addedP50Ms: keypool.addedP50Ms,
    metAddedP50: keypool.addedP50Ms <= TARGET_ADDED_P50_MS,
    ...(share !== undefined
      ? { shareOfPortkey: Number(share.toFixed(3)), metShareOfPortkey: share <= TARGET_SHARE_OF_PORTKEY }
      : {}),
  };
}

/** The latency/CPU table, the in-process line, the goodput table and the targets, as Markdown. */
export function renderGatewayTables(result: GatewayBenchResult): string {
  const latencyRows: [string, PathFigures | undefined][] = [
    ['direct openai SDK call (baseline)', result.latency.direct],
    ['bare Node forwarding proxy (floor of a second hop)', result.latency.bare],
    ['Keypool gateway', result.latency.keypool],
    ['Portkey gateway', result.latency.portkey],
  ];
  const latency = [
    '| path | p50 ms | p99 ms | added p50 ms | added p99 ms | added, paired median ms | gateway CPU ms / call | client + emulator CPU ms / call |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...latencyRows
      .filter((row): row is [string, PathFigures] => row[1] !== undefined)
      .map(
        ([label, figures]) =>
          `| ${label} | ${number(figures.p50Ms)} | ${number(figures.p99Ms)} | ${number(figures.addedP50Ms)} | ${number(figures.addedP99Ms)} | ${number(figures.pairedAddedMs)} | ${number(figures.gatewayCpuMsPerCall)} | ${number(figures.clientCpuMsPerCall)} |`,
      ),
  ];
  const own = result.inProcess;
  const inProcess = `Keypool gateway in one process with a raw HTTP client and the emulator (no cross-process scheduling): added p50 ${number(own.addedP50Ms)} ms, added p99 ${number(own.addedP99Ms)} ms, added CPU ${number(own.addedCpuMsPerCall)} ms per call (direct p50 ${number(own.directP50Ms)} ms, through the gateway ${number(own.keypoolP50Ms)} ms); the bare Node proxy in the same process adds ${number(own.bareAddedP50Ms)} ms at p50 and ${number(own.bareAddedCpuMsPerCall)} ms CPU per call.`;
  const goodputRows: [string, GoodputFigures | undefined][] = [
    ['Keypool gateway', result.goodput.keypool],
    ['Portkey gateway', result.goodput.portkey],
  ];
  const goodput = [
    '| gateway (3 healthy keys + 1 always 429) | calls served | upstream requests | sent to the dead key | goodput (served / upstream) | p50 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...goodputRows
      .filter((row): row is [string, GoodputFigures] => row[1] !== undefined)
      .map(
        ([label, figures]) =>
          `| ${label} | ${figures.served} / ${figures.calls} | ${figures.upstreamRequests} | ${percent(figures.toDeadKey)} | ${number(figures.goodput, 2)} | ${number(figures.p50Ms, 1)} |`,
      ),
  ];
  const met = targets(result);
  const share =
    met.shareOfPortkey === undefined
      ? 'Portkey did not run'
      : `${number(met.shareOfPortkey)} of Portkey's added p50 (target ≤ ${TARGET_SHARE_OF_PORTKEY}: ${met.metShareOfPortkey ? 'met' : 'not met'})`;
  const target = `Target: Keypool's added p50 ${number(met.addedP50Ms)} ms across processes (target ≤ ${TARGET_ADDED_P50_MS} ms: ${met.metAddedP50 ? 'met' : 'not met'}); ${share}.`;
  const { bare, keypool } = result.latency;
  const floor =
    bare && keypool
      ? ` The bare Node forwarding proxy adds ${number(bare.addedP50Ms)} ms at p50 in the same run (the floor of a second Node hop on this machine); the Keypool gateway's own share is ${number(keypool.p50Ms - bare.p50Ms)} ms over it.`
      : '';
  return [latency.join('\n'), inProcess, goodput.join('\n'), target + floor].join('\n\n');
}
