import { describe, expect, it } from 'vitest';
import { type GatewayBenchResult, runGatewayBench } from './gateway-bench.ts';
import { renderGatewayTables, targets } from './gateway-table.ts';

describe('gateway benchmark', () => {
  it('measures the Keypool gateway against direct calls and counts goodput with a dead key', {
    timeout: 60_000,
  }, async () => {
    const result = await runGatewayBench({
      rounds: 20,
      warmup: 5,
      inProcessCalls: 20,
      goodputCalls: 24,
      concurrency: 3,
      skipPortkey: true,
    });
    const { direct, bare, keypool } = result.latency;
    expect(direct!.addedP50Ms).toBe(0);
    // The floor row: a bare forwarding proxy in its own process, measured like the gateways.
    expect(bare!.p50Ms).toBeGreaterThan(0);
    expect(bare!.gatewayCpuMsPerCall).toBeGreaterThan(0);
    expect(direct!.gatewayCpuMsPerCall).toBe(0);
    // Through a gateway is a second loopback hop: never faster at the median than direct.
    expect(keypool!.p50Ms).toBeGreaterThan(0);
    expect(keypool!.gatewayCpuMsPerCall).toBeGreaterThan(0);
    expect(result.inProcess.keypoolP50Ms).toBeGreaterThan(0);
    expect(result.inProcess.bareAddedCpuMsPerCall).toBeGreaterThan(0);
    const goodput = result.goodput.keypool!;
    expect(goodput.served).toBe(24);
    // The dead key is tried, then cooled: only a few of the upstream requests go to it.
    expect(goodput.upstreamRequests).toBeGreaterThanOrEqual(24);
    expect(goodput.toDeadKey).toBeLessThan(0.25);
    expect(result.goodput.portkey).toBeUndefined();
    const tables = renderGatewayTables(result);
    expect(tables).toContain('| Keypool gateway |');
    expect(tables).toContain('| bare Node forwarding proxy (floor of a second hop) |');
    expect(tables).not.toContain('| Portkey gateway |');
    expect(tables).toContain('Portkey did not run');
  });

  it('judges the targets: added p50 at most 0.3 ms and at most a fifth of Portkey', () => {
    const path = (addedP50Ms: number) => ({
      p50Ms: 1 + addedP50Ms,
      p99Ms: 3,
      addedP50Ms,
      addedP99Ms: 1,
      pairedAddedMs: addedP50Ms,
      gatewayCpuMsPerCall: 0.2,
      clientCpuMsPerCall: 0.5,
    });
    const result: GatewayBenchResult = {
      portkey: { version: '1.15.2' },
      latency: { direct: path(0), bare: path(0.2), keypool: path(0.25), portkey: path(2) },
      inProcess: {
        directP50Ms: 0.5,
        keypoolP50Ms: 0.7,
        addedP50Ms: 0.2,
        addedP99Ms: 0.4,
        addedCpuMsPerCall: 0.1,
        bareAddedP50Ms: 0.1,
        bareAddedCpuMsPerCall: 0.05,
      },
      goodput: { keypool: undefined, portkey: undefined },
    };
    expect(targets(result)).toEqual({
      addedP50Ms: 0.25,
      metAddedP50: true,
      shareOfPortkey: 0.125,
      metShareOfPortkey: true,
    });
    result.latency.keypool = path(0.5);
    expect(targets(result)).toMatchObject({
      metAddedP50: false,
      shareOfPortkey: 0.25,
      metShareOfPortkey: false,
    });
    const tables = renderGatewayTables(result);
    expect(tables).toContain("0.25 of Portkey's added p50 (target ≤ 0.2: not met)");
    expect(tables).toContain("the Keypool gateway's own share is 0.3 ms over it");
  });
});
