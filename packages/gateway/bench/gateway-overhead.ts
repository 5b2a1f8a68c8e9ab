/**
 * What the Keypool gateway adds to a call, in one short run (well under a minute):
 *   1. latency p50/p99 of the same OpenAI SDK call made directly to the emulator, through the Keypool gateway, and
 *      through the Portkey gateway (`@portkey-ai/gateway` as shipped, forced onto 127.0.0.1), rounds interleaved;
 *   2. CPU per call of each gateway process (from /proc, user + system);
 *   3. goodput with a dead key (always 429) among three: the share of upstream requests that were answered;
 *   4. the gateway's own added latency and CPU: client (raw HTTP), gateway and emulator in one process.
 * Writes bench/results/gateway-overhead.json and prints the figures. Needs the built package:
 * `pnpm turbo run build --filter=@keypool/gateway...` then `pnpm --filter @keypool/gateway bench`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@keypool/emulator';
import { createGatewayPools, parseGatewayConfig, startGateway } from '@keypool/gateway';
import OpenAI from 'openai';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 120);
const GOODPUT_CALLS = Number(process.env.BENCH_GOODPUT_CALLS ?? 60);
const MODEL = 'gpt-4o-mini';
const HEALTHY = ['sk-bench-healthy-0001', 'sk-bench-healthy-0002', 'sk-bench-healthy-0003'];
const DEAD = 'sk-bench-dead-00000429';

interface Child {
  process: ChildProcess;
  url: string;
  close(): Promise<void>;
}

/** Starts a child and waits for `ready(output)` to give its URL. */
async function startChild(
  args: string[],
  ready: (output: string) => Promise<string | undefined>,
): Promise<Child> {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.at(-1)} exited (${child.exitCode}): ${output}`);
    const url = await ready(output);
    if (url) {
      return {
        process: child,
        url,
        close: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      };
    }
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`${args.at(-1)} did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the Keypool gateway (built package) on a keys file with the given OpenAI keys. */
async function startKeypool(upstream: string, secrets: string[], directory: string): Promise<Child> {
  const file = join(directory, `keypool-${secrets.length}.json`);
  const keys = secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret }));
  const gateway = { port: 0, upstreams: { openai: upstream } };
  writeFileSync(file, JSON.stringify({ providers: { openai: { keys } }, gateway }));
  return startChild([join(here, 'serve-child.ts'), file], async (output) => {
    const line = output.split('\n').find((text) => text.startsWith('{"url"'));
    return line ? `${(JSON.parse(line) as { url: string }).url}/v1` : undefined;
  });
}

/** Starts the Portkey gateway as shipped, on a free port, forced onto loopback. */
async function startPortkey(): Promise<{ child: Child; version: string }> {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@portkey-ai/gateway/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    version: string;
    bin: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0]!;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = await startChild(
    [
      '--import',
      join(here, 'loopback-only.ts'),
      join(dirname(manifestPath), bin),
      `--port=${port}`,
      '--headless',
    ],
    async () => {
      try {
        await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
        return `http://127.0.0.1:${port}/v1`;
      } catch {
        return undefined;
      }
    },
  );
  return { child, version: manifest.version };
}

/** Portkey's config: load-balance over the keys, each group falling back over the others on 429/5xx/401. */
function portkeyConfig(upstream: string, secrets: string[]): string {
  const target = (secret: string) => ({ provider: 'openai', api_key: secret, custom_host: upstream });
  return JSON.stringify({
    strategy: { mode: 'loadbalance' },
    targets: secrets.map((_, first) => ({
      strategy: { mode: 'fallback', on_status_codes: [401, 403, 429, 500, 502, 503, 504] },
      targets: secrets.map((__, offset) => target(secrets[(first + offset) % secrets.length]!)),
    })),
  });
}

/** CPU time (user + system, ms) a process has used so far, from /proc. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

async function timeCalls(client: OpenAI, count: number, into: number[]): Promise<void> {
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: `ping ${index}` }],
      max_completion_tokens: 8,
    });
    into.push(performance.now() - started);
  }
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
 * The gateway's own cost without the scheduler in the way: client, gateway and emulator in this one process (no call
 * waits for another process to be scheduled, which dominates loopback figures on a busy machine), and a raw HTTP
 * client, so what differs between the two paths is the gateway alone.
 */
async function inProcess(upstream: string): Promise<Record<string, number>> {
  const pools = await createGatewayPools({
    keys: { openai: HEALTHY.slice(0, 2).map((secret, index) => ({ id: `key-${index + 1}`, secret })) },
    upstreams: { openai: upstream },
  });
  const gateway = await startGateway({ config: parseGatewayConfig({ port: 0 }), pools });
  const agent = new http.Agent({ keepAlive: true });
  const body = JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: 'ping' }],
    max_completion_tokens: 8,
  });
  const urls = {
    direct: new URL(`${upstream}/chat/completions`),
    keypool: new URL(`${gateway.url}/v1/chat/completions`),
  };
  try {
    const times = { direct: [] as number[], keypool: [] as number[] };
    const cpu = { direct: 0, keypool: 0 };
    for (const url of Object.values(urls))
      for (let index = 0; index < 200; index++) await rawCall(agent, url, body);
    for (let round = 0; round < ROUNDS * 2; round++) {
      for (const name of ['direct', 'keypool'] as const) {
        const before = process.cpuUsage();
        for (let index = 0; index < CALLS_PER_ROUND; index++) {
          const started = performance.now();
          await rawCall(agent, urls[name], body);
          times[name].push(performance.now() - started);
        }
        const used = process.cpuUsage(before);
        cpu[name] += (used.user + used.system) / 1000;
      }
    }
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const calls = times.direct.length;
    return {
      directP50Ms: round3(percentile(sorted(times.direct), 50)),
      keypoolP50Ms: round3(percentile(sorted(times.keypool), 50)),
      addedP50Ms: round3(percentile(sorted(times.keypool), 50) - percentile(sorted(times.direct), 50)),
      addedP99Ms: round3(percentile(sorted(times.keypool), 99) - percentile(sorted(times.direct), 99)),
      addedCpuMsPerCall: round3((cpu.keypool - cpu.direct) / calls),
    };
  } finally {
    agent.destroy();
    await gateway.close();
  }
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'keypool-gateway-bench-'));
  const emulator = await startEmulator({
    keys: { ...Object.fromEntries(HEALTHY.map((key) => [key, {}])), [DEAD]: { rpm: 0 } },
  });
  const children: Child[] = [];
  try {
    const upstream = emulator.baseURLs.openai;
    const keypool = await startKeypool(upstream, HEALTHY.slice(0, 2), directory);
    children.push(keypool);
    let portkey: { child: Child; version: string } | undefined;
    let portkeyProblem: string | undefined;
    try {
      portkey = await startPortkey();
      children.push(portkey.child);
    } catch (error) {
      portkeyProblem = error instanceof Error ? error.message.slice(0, 300) : String(error);
    }
    const clients: Record<string, OpenAI> = {
      direct: new OpenAI({ baseURL: upstream, apiKey: HEALTHY[0]!, maxRetries: 0 }),
      keypool: new OpenAI({ baseURL: keypool.url, apiKey: 'unused', maxRetries: 0 }),
    };
    if (portkey) {
      clients.portkey = new OpenAI({
        baseURL: portkey.child.url,
        apiKey: 'unused',
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-config': portkeyConfig(upstream, HEALTHY.slice(0, 2)) },
      });
    }
    const pids: Record<string, number | undefined> = {
      keypool: keypool.process.pid,
      portkey: portkey?.child.process.pid,
    };
    const latencies: Record<string, number[]> = {};
    const cpu: Record<string, number> = {};
    for (const name of Object.keys(clients)) {
      latencies[name] = [];
      cpu[name] = 0;
      await timeCalls(clients[name]!, 40, []); // warm up: connections, JIT
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(clients)) {
        const before = name === 'direct' ? process.cpuUsage() : cpuMs(pids[name]);
        await timeCalls(clients[name]!, CALLS_PER_ROUND, latencies[name]!);
        if (name === 'direct') {
          const used = process.cpuUsage(before as NodeJS.CpuUsage);
          cpu[name]! += (used.user + used.system) / 1000;
        } else cpu[name]! += cpuMs(pids[name]) - (before as number);
      }
    }
    const stats: Record<string, Record<string, number>> = {};
    const calls = ROUNDS * CALLS_PER_ROUND;
    for (const [name, values] of Object.entries(latencies)) {
      const sorted = [...values].sort((a, b) => a - b);
      stats[name] = {
        p50Ms: round3(percentile(sorted, 50)),
        p99Ms: round3(percentile(sorted, 99)),
        cpuMsPerCall: round3(cpu[name]! / calls),
      };
    }
    const added = (name: string) =>
      stats[name] && {
        p50Ms: round3(stats[name]!.p50Ms! - stats.direct!.p50Ms!),
        p99Ms: round3(stats[name]!.p99Ms! - stats.direct!.p99Ms!),
      };

    // Goodput: three healthy keys and one that always answers 429.
    const goodput: Record<string, Record<string, number>> = {};
    const goodKeys = [...HEALTHY, DEAD];
    const goodKeypool = await startKeypool(upstream, goodKeys, directory);
    children.push(goodKeypool);
    const goodClients: Record<string, OpenAI> = {
      keypool: new OpenAI({ baseURL: goodKeypool.url, apiKey: 'unused', maxRetries: 0 }),
    };
    if (portkey) {
      goodClients.portkey = new OpenAI({
        baseURL: portkey.child.url,
        apiKey: 'unused',
        maxRetries: 0,
        defaultHeaders: { 'x-portkey-config': portkeyConfig(upstream, goodKeys) },
      });
    }
    for (const [name, client] of Object.entries(goodClients)) {
      emulator.reset();
      let served = 0;
      for (let index = 0; index < GOODPUT_CALLS; index++) {
        try {
          await client.chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'hi' }],
            max_completion_tokens: 8,
          });
          served++;
        } catch {}
      }
      const upstreamRequests = goodKeys.reduce((sum, key) => sum + emulator.requestsFor(key).length, 0);
      const toDead = emulator.requestsFor(DEAD).length;
      goodput[name] = {
        callsServed: served / GOODPUT_CALLS,
        upstreamRequests,
        sentToDeadKey: round3(toDead / upstreamRequests),
        goodput: round3(served / upstreamRequests),
      };
    }

    const sameProcess = await inProcess(upstream);
    const result = {
      date: new Date().toISOString(),
      // Loopback latency depends on how busy the machine is: the load average says how to read the figures.
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model,
        node: process.version,
        loadAverage: loadavg().map(round3),
      },
      calls,
      portkey: portkey ? { version: portkey.version } : { skipped: portkeyProblem },
      latency: stats,
      addedOverDirect: { keypool: added('keypool'), ...(portkey ? { portkey: added('portkey') } : {}) },
      keypoolShareOfPortkey: portkey
        ? {
            addedP50: round3(added('keypool')!.p50Ms / added('portkey')!.p50Ms),
            cpuPerCall: round3(stats.keypool!.cpuMsPerCall! / stats.portkey!.cpuMsPerCall!),
          }
        : undefined,
      goodputWithDeadKey: goodput,
      keypoolInProcess: sameProcess,
      target: {
        addedP50Ms: 0.3,
        metAcrossProcesses: (added('keypool')?.p50Ms ?? Number.POSITIVE_INFINITY) <= 0.3,
        metInProcess: sameProcess.addedP50Ms! <= 0.3,
      },
    };
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', 'gateway-overhead.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await Promise.all(children.map((child) => child.close()));
    await emulator.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
