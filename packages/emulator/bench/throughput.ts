/**
 * Throughput of the emulator on loopback: non-streaming OpenAI-format chat requests from one client process
 * (keep-alive, 32 in flight) against the emulator running in a child process, so client and server each get a core.
 * Several rounds; prints requests/s per round and writes the median to bench/results/throughput.json.
 *
 * The default client is node:http with a keep-alive Agent; BENCH_CLIENT=fetch uses the built-in fetch (undici),
 * which costs the client about three times more CPU per request than the server spends answering it, so on a
 * small machine it measures fetch rather than the emulator.
 *
 * Run: `node bench/throughput.ts` (Node 24), or `pnpm --filter @keypool/emulator bench`.
 * Options (env): BENCH_ROUNDS (5), BENCH_SECONDS (2), BENCH_CONCURRENCY (32), BENCH_CLIENT (http | fetch),
 * BENCH_SERVER (child | inprocess: the emulator in the client's process; server CPU is then not reported apart).
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const KEY = 'sk-bench-0000000000000000';
const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function serve(): Promise<void> {
  await import('../dev/register-source.ts');
  const { startEmulator } = await import('../src/index.ts');
  const emulator = await startEmulator({ keys: { [KEY]: { rpm: 100_000_000 } }, maxLogEntries: 10_000 });
  process.stdout.write(`${emulator.baseURLs.openai}\n`);
  // The parent asks for CPU time over IPC, so server cost per request can be reported apart from the client's.
  process.on('message', () => process.send?.(process.cpuUsage()));
  process.on('SIGTERM', () => {
    emulator.close().then(() => process.exit(0));
  });
}

interface ServerHandle {
  baseURL: string;
  cpuMicros: () => Promise<number>;
  stop: () => Promise<void>;
}

/** The emulator in this process (BENCH_SERVER=inprocess): client and server share one event loop and one core. */
async function startInProcess(): Promise<ServerHandle> {
  await import('../dev/register-source.ts');
  const { startEmulator } = await import('../src/index.ts');
  const emulator = await startEmulator({ keys: { [KEY]: { rpm: 100_000_000 } }, maxLogEntries: 10_000 });
  return {
    baseURL: emulator.baseURLs.openai,
    cpuMicros: async () => 0,
    stop: () => emulator.close(),
  };
}

function startServer(): Promise<ServerHandle> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const cpuMicros = (): Promise<number> =>
    new Promise((resolve) => {
      child.once('message', (usage) => {
        const { user, system } = usage as NodeJS.CpuUsage;
        resolve(user + system);
      });
      child.send('cpu');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`emulator exited early with code ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) {
        child.removeAllListeners('exit');
        resolve({
          baseURL: line.trim(),
          cpuMicros,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

type Send = () => Promise<number>;

function fetchClient(url: string, body: string): Send {
  return async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  };
}

function httpClient(url: string, body: string, concurrency: number): Send {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const headers = {
    authorization: `Bearer ${KEY}`,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  };
  return () =>
    new Promise((resolve, reject) => {
      const req = request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

async function round(send: Send, seconds: number, concurrency: number, server: ServerHandle) {
  const serverCpuBefore = await server.cpuMicros();
  const clientCpuBefore = process.cpuUsage();
  let ok = 0;
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      if ((await send()) === 200) ok += 1;
      else failed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const requests = ok + failed;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serverMicrosPerRequest = (await server.cpuMicros()) - serverCpuBefore;
  return {
    requests,
    failed,
    seconds: Number(elapsed.toFixed(3)),
    requestsPerSecond: Math.round(requests / elapsed),
    serverCpuMicrosPerRequest: Math.round(serverMicrosPerRequest / requests),
    clientCpuMicrosPerRequest: Math.round((clientCpu.user + clientCpu.system) / requests),
  };
}

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  const client = process.env.BENCH_CLIENT === 'fetch' ? 'fetch' : 'http';
  const placement = process.env.BENCH_SERVER === 'inprocess' ? 'inprocess' : 'child';
  const server = placement === 'inprocess' ? await startInProcess() : await startServer();
  const url = `${server.baseURL}/chat/completions`;
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello to the benchmark.' }],
    max_completion_tokens: 32,
  });
  const send = client === 'fetch' ? fetchClient(url, body) : httpClient(url, body, concurrency);
  try {
    await round(send, 0.5, concurrency, server);
    const results = [];
    for (let index = 0; index < rounds; index++) {
      const result = await round(send, seconds, concurrency, server);
      results.push(result);
      const cpu =
        placement === 'child'
          ? `server ${result.serverCpuMicrosPerRequest} µs, client ${result.clientCpuMicrosPerRequest} µs`
          : `client + server ${result.clientCpuMicrosPerRequest} µs`;
      console.log(
        `round ${index + 1}: ${result.requestsPerSecond} req/s (${result.requests} requests, ${result.failed} failed; CPU per request: ${cpu})`,
      );
    }
    const medianOf = (values: number[]): number =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const median = medianOf(results.map((result) => result.requestsPerSecond));
    const serverMicros =
      placement === 'child' ? medianOf(results.map((result) => result.serverCpuMicrosPerRequest)) : null;
    const serverCapacity = serverMicros === null ? null : Math.round(1_000_000 / Math.max(1, serverMicros));
    if (serverMicros !== null) {
      console.log(
        `server CPU per request (median): ${serverMicros} µs -> ~${serverCapacity} req/s per server core`,
      );
    }
    console.log(
      `median: ${median} req/s over ${rounds} rounds of ${seconds}s, ${client} client, server ${placement}, concurrency ${concurrency}, load average ${loadavg()[0]?.toFixed(1)}`,
    );
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(
      new URL('./results/throughput.json', import.meta.url),
      `${JSON.stringify(
        {
          benchmark: 'emulator non-streaming OpenAI chat completions over loopback',
          medianRequestsPerSecond: median,
          medianServerCpuMicrosPerRequest: serverMicros,
          serverCapacityPerCore: serverCapacity,
          loadAverage: loadavg(),
          rounds: results,
          client,
          server: placement,
          concurrency,
          node: process.version,
          cpus: availableParallelism(),
          date: new Date().toISOString(),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await server.stop();
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
