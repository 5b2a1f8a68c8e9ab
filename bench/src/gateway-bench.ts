/**
 * The gateway benchmark: what a call pays for going through a gateway, in one run over loopback to the emulator.
 *   1. Latency: the same openai SDK call made directly to the emulator, through a bare Node forwarding proxy (the floor
 *      of a second hop), through the Keypool gateway and through the Portkey gateway (each a child process on
 *      127.0.0.1), interleaved call by call; p50/p99 and the added latency.
 *   2. CPU per call: the gateway process's (from /proc) and this process's (SDK client and emulator).
 *   3. The Keypool gateway alone: client (raw keep-alive HTTP), gateway, bare proxy and emulator in this one process, so
 *      no call waits for another process to be scheduled (what dominates loopback figures on a loaded machine).
 *   4. Goodput with a dead key: three healthy keys and one that always answers 429, through each gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@keypool/emulator';
import {
  createGatewayPools,
  parseGatewayConfig,
  startGateway as startKeypoolInProcess,
} from '@keypool/gateway';
import OpenAI from 'openai';
import { serveBareProxy } from './bare-proxy.ts';
import { portkeyConfig, type Setup } from './contenders.ts';
import { processCpuMs, startBareProxy, startKeypoolGateway } from './gateway-processes.ts';
import { type Gateway as PortkeyGateway, startGateway as startPortkey } from './portkey.ts';
import { addedLatency, median, quantile, round } from './stats.ts';

const MODEL = 'gpt-4o-mini';
const HEALTHY = ['sk-gwbench-healthy-0001', 'sk-gwbench-healthy-0002', 'sk-gwbench-healthy-0003'];
const DEAD = 'sk-gwbench-dead-0000429';

/** How long each part runs. */
export interface GatewayBenchOptions {
  /** Interleaved rounds (each calls every path once) after `warmup` rounds. */
  rounds: number;
  warmup: number;
  /** Calls per path in the in-process measurement (after as many warm-up calls). */
  inProcessCalls: number;
  /** Calls through each gateway with the dead key in the pool, `concurrency` at a time. */
  goodputCalls: number;
  concurrency: number;
  /** Run without the Portkey gateway (tests). */
  skipPortkey?: boolean;
  log?: (message: string) => void;
}

/** One path's latency and CPU figures. */
export interface PathFigures {
  p50Ms: number;
  p99Ms: number;
  /** Minus the direct call's, same run (0 for the direct call). */
  addedP50Ms: number;
  addedP99Ms: number;
  /** Median of the per-round differences with the direct call. */
  pairedAddedMs: number;
  /** CPU of the gateway process per call (0 for the direct call). */
  gatewayCpuMsPerCall: number;
  /** CPU of this process (SDK client and emulator) per call. */
  clientCpuMsPerCall: number;
}

/** Goodput through one gateway with a dead key among four. */
export interface GoodputFigures {
  calls: number;
  served: number;
  upstreamRequests: number;
  /** Share of upstream requests sent to the dead key. */
  toDeadKey: number;
  /** Served calls / upstream requests. */
  goodput: number;
  p50Ms: number;
}

export interface GatewayBenchResult {
  portkey: { version: string } | { skipped: string };
  /** `bare`: a bare Node forwarding proxy (no pool, no parsing), the floor of a second hop on this machine. */
  latency: Record<PathName, PathFigures | undefined>;
  inProcess: {
    directP50Ms: number;
    keypoolP50Ms: number;
    addedP50Ms: number;
    addedP99Ms: number;
    addedCpuMsPerCall: number;
    /** The bare forwarding proxy in the same process: the floor of the hop without any scheduling. */
    bareAddedP50Ms: number;
    bareAddedCpuMsPerCall: number;
  };
  goodput: Record<'keypool' | 'portkey', GoodputFigures | undefined>;
}

type PathName = 'direct' | 'bare' | 'keypool' | 'portkey';

function chat(index: number) {
  return {
    model: MODEL,
    messages: [{ role: 'user' as const, content: `ping ${index}` }],
    max_completion_tokens: 8,
  };
}

function portkeyClient(gateway: PortkeyGateway, upstream: string, secrets: readonly string[]): OpenAI {
  const setup: Setup = {
    openaiBaseURL: upstream,
    anthropicBaseURL: upstream,
    keys: secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
    model: MODEL,
    windowMs: 60_000,
    keypoolLimits: 'learned',
    maxWaitMs: 0,
  };
  return new OpenAI({
    baseURL: gateway.baseURL,
    apiKey: 'unused-the-gateway-config-holds-the-keys',
    maxRetries: 0,
    timeout: 10_000,
    defaultHeaders: { 'x-portkey-config': JSON.stringify(portkeyConfig(setup)) },
  });
}

/** Latency and CPU of each path, interleaved call by call (the starting path rotates each round). */
async function measureLatency(
  clients: Partial<Record<PathName, OpenAI>>,
  pids: Partial<Record<PathName, number | undefined>>,
  options: GatewayBenchOptions,
): Promise<GatewayBenchResult['latency']> {
  const names = Object.keys(clients) as PathName[];
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const clientCpu: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  const gatewayCpu: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  for (let round = -options.warmup; round < options.rounds; round++) {
    for (let offset = 0; offset < names.length; offset++) {
      const name = names[(Math.abs(round) + offset) % names.length]!;
      const gatewayBefore = processCpuMs(pids[name]);
      const before = process.cpuUsage();
      const started = performance.now();
      await clients[name]!.chat.completions.create(chat(round));
      const elapsed = performance.now() - started;
      const used = process.cpuUsage(before);
      if (round < 0) continue;
      times[name]!.push(elapsed);
      clientCpu[name]! += (used.user + used.system) / 1000;
      if (pids[name] !== undefined) gatewayCpu[name]! += processCpuMs(pids[name]) - gatewayBefore;
    }
  }
  const figures = (name: PathName): PathFigures | undefined => {
    if (!names.includes(name)) return undefined;
    const added = addedLatency(times[name]!, times.direct!);
    return {
      p50Ms: added.medianMs,
      p99Ms: added.p99Ms,
      addedP50Ms: added.addedMedianMs,
      addedP99Ms: added.addedP99Ms,
      pairedAddedMs: added.pairedMedianMs,
      gatewayCpuMsPerCall: round(gatewayCpu[name]! / options.rounds),
      clientCpuMsPerCall: round(clientCpu[name]! / options.rounds),
    };
  };
  return {
    direct: figures('direct'),
    bare: figures('bare'),
    keypool: figures('keypool'),
    portkey: figures('portkey'),
  };
}

/** One chat call with Node's HTTP client (keep-alive): a client that adds almost nothing of its own. */
function rawCall(agent: http.Agent, url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${HEALTHY[0]}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.once('end', () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`)),
        );
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

/**
 * The Keypool gateway's own cost: raw client, gateway, bare proxy and emulator in this process, direct, through the
 * bare proxy and through the gateway in turn (the order rotating each round).
 */
async function measureInProcess(upstream: string, calls: number): Promise<GatewayBenchResult['inProcess']> {
  const pools = await createGatewayPools({
    keys: { openai: HEALTHY.slice(0, 2).map((secret, index) => ({ id: `key-${index + 1}`, secret })) },
    upstreams: { openai: upstream },
  });
  const gateway = await startKeypoolInProcess({ config: parseGatewayConfig({ port: 0 }), pools });
  const bare = await serveBareProxy(upstream, HEALTHY[0]!);
  const agent = new http.Agent({ keepAlive: true });
  const body = JSON.stringify(chat(0));
  const names = ['direct', 'bare', 'keypool'] as const;
  const urls = {
    direct: new URL(`${upstream}/chat/completions`),
    bare: new URL(`${bare.url}/v1/chat/completions`),
    keypool: new URL(`${gateway.url}/v1/chat/completions`),
  };
  const times = { direct: [] as number[], bare: [] as number[], keypool: [] as number[] };
  const cpu = { direct: 0, bare: 0, keypool: 0 };
  try {
    for (let index = -calls; index < calls; index++) {
      for (let offset = 0; offset < names.length; offset++) {
        const name = names[(index + calls + offset) % names.length]!;
        const before = process.cpuUsage();
        const started = performance.now();
        await rawCall(agent, urls[name], body);
        const elapsed = performance.now() - started;
        const used = process.cpuUsage(before);
        if (index < 0) continue;
        times[name].push(elapsed);
        cpu[name] += (used.user + used.system) / 1000;
      }
    }
  } finally {
    agent.destroy();
    await bare.close();
    await gateway.close();
  }
  return {
    directP50Ms: round(median(times.direct)),
    keypoolP50Ms: round(median(times.keypool)),
    addedP50Ms: round(median(times.keypool) - median(times.direct)),
    addedP99Ms: round(quantile(times.keypool, 0.99) - quantile(times.direct, 0.99)),
    addedCpuMsPerCall: round((cpu.keypool - cpu.direct) / calls),
    bareAddedP50Ms: round(median(times.bare) - median(times.direct)),
    bareAddedCpuMsPerCall: round((cpu.bare - cpu.direct) / calls),
  };
}

/** Calls through a gateway whose pool holds the dead key, `concurrency` at a time; the emulator's log counts. */
async function measureGoodput(
  client: OpenAI,
  emulator: Awaited<ReturnType<typeof startEmulator>>,
  options: GatewayBenchOptions,
): Promise<GoodputFigures> {
  emulator.reset();
  const times: number[] = [];
  let served = 0;
  let next = 0;
  const worker = async () => {
    while (next < options.goodputCalls) {
      const index = next++;
      const started = performance.now();
      try {
        await client.chat.completions.create(chat(index));
        served++;
        times.push(performance.now() - started);
      } catch {}
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const keys = [...HEALTHY, DEAD];
  const upstreamRequests = keys.reduce((sum, key) => sum + emulator.requestsFor(key).length, 0);
  return {
    calls: options.goodputCalls,
    served,
    upstreamRequests,
    toDeadKey: round(emulator.requestsFor(DEAD).length / upstreamRequests),
    goodput: round(served / upstreamRequests),
    p50Ms: round(median(times)),
  };
}

/** Runs the four parts (see the file's comment) against one emulator; every process it starts is stopped. */
export async function runGatewayBench(options: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const log = options.log ?? (() => undefined);
  const directory = mkdtempSync(join(tmpdir(), 'keypool-gateway-bench-'));
  const emulator = await startEmulator({
    keys: { ...Object.fromEntries(HEALTHY.map((key) => [key, {}])), [DEAD]: { rpm: 0 } },
  });
  const closers: (() => Promise<void>)[] = [];
  try {
    const upstream = emulator.baseURLs.openai;
    const keypool = await startKeypoolGateway(upstream, HEALTHY.slice(0, 2), directory);
    closers.push(keypool.close);
    const bare = await startBareProxy(upstream, HEALTHY[0]!);
    closers.push(bare.close);
    let portkey: PortkeyGateway | undefined;
    let portkeyInfo: GatewayBenchResult['portkey'] = { skipped: 'not asked for' };
    if (!options.skipPortkey) {
      try {
        portkey = await startPortkey();
        closers.push(portkey.close);
        portkeyInfo = { version: portkey.version };
      } catch (error) {
        portkeyInfo = { skipped: error instanceof Error ? error.message.slice(0, 200) : String(error) };
      }
    }
    const clients: Partial<Record<PathName, OpenAI>> = {
      direct: new OpenAI({ baseURL: upstream, apiKey: HEALTHY[0]!, maxRetries: 0 }),
      bare: new OpenAI({ baseURL: bare.baseURL, apiKey: 'unused', maxRetries: 0 }),
      keypool: new OpenAI({ baseURL: keypool.baseURL, apiKey: 'unused', maxRetries: 0 }),
      ...(portkey ? { portkey: portkeyClient(portkey, upstream, HEALTHY.slice(0, 2)) } : {}),
    };
    log(`latency: ${options.rounds} interleaved rounds over ${Object.keys(clients).join(', ')}`);
    const latency = await measureLatency(
      clients,
      { bare: bare.pid, keypool: keypool.pid, portkey: portkey?.pid },
      options,
    );
    log(`in process: ${options.inProcessCalls} calls direct, through the bare proxy and through the gateway`);
    const inProcess = await measureInProcess(upstream, options.inProcessCalls);
    log(
      `goodput: ${options.goodputCalls} calls, ${options.concurrency} at a time, 3 healthy keys and a dead one`,
    );
    const deadPool = await startKeypoolGateway(upstream, [...HEALTHY, DEAD], directory);
    closers.push(deadPool.close);
    const goodput: GatewayBenchResult['goodput'] = {
      keypool: await measureGoodput(
        new OpenAI({ baseURL: deadPool.baseURL, apiKey: 'unused', maxRetries: 0, timeout: 10_000 }),
        emulator,
        options,
      ),
      portkey: portkey
        ? await measureGoodput(portkeyClient(portkey, upstream, [...HEALTHY, DEAD]), emulator, options)
        : undefined,
    };
    return { portkey: portkeyInfo, latency, inProcess, goodput };
  } finally {
    await Promise.all(closers.map((close) => close()));
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
