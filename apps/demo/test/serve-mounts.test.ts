import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runKeypool } from './run-keypool';

const UPSTREAM = 'sk-serve-mount-0123456789abcdef';
const VIRTUAL_KEY = 'kp-serve-mount-9d2c4e6a1f';

interface Served {
  child: ChildProcess;
  urls: { url: string; openaiBaseURL: string; dashboardURL?: string; metricsURL?: string };
  stderr(): string;
  stdout(): string;
  /** Sends SIGTERM and resolves with the exit code and how long the process took to exit. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

let emulator: Emulator | undefined;
let served: Served | undefined;
let directory: string | undefined;

afterEach(async () => {
  if (served && served.child.exitCode === null) served.child.kill('SIGKILL');
  await emulator?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
  emulator = served = directory = undefined;
});

/** Runs `keypool serve --config <file> --json ...args` as a child process and waits for its URLs. */
async function serve(gatewayLines: string[], args: string[]): Promise<Served> {
  emulator = await startEmulator({
    keys: { [UPSTREAM]: {} },
    models: { 'gpt-stall': { streamStallAfterChunks: 1, stallMs: 700 } },
  });
  directory = await mkdtemp(join(tmpdir(), 'keypool-serve-mounts-'));
  const config = join(directory, 'keypool.yaml');
  const lines = ['providers:', '  openai:', '    keys:', '      - { id: main, from: env:SERVE_MOUNT_KEY }'];
  lines.push(
    'gateway:',
    '  port: 0',
    `  upstreams: { openai: "${emulator.baseURLs.openai}" }`,
    ...gatewayLines,
  );
  await writeFile(config, `${lines.join('\n')}\n`);
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--json', ...args], {
    env: { PATH: process.env.PATH, HOME: directory, SERVE_MOUNT_KEY: UPSTREAM },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const urls = await new Promise<Served['urls']>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!));
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  served = {
    child,
    urls,
    stderr: () => stderr,
    stdout: () => stdout,
    stop: async () => {
      const started = performance.now();
      child.kill('SIGTERM');
      const code = await exited;
      return { code, ms: performance.now() - started };
    },
  };
  return served;
}

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces()))
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  return undefined;
}

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('keypool serve --dashboard --metrics', () => {
  it('mounts the dashboard and /metrics on the gateway, behind the virtual keys, on 127.0.0.1 only', async () => {
    const hash = (await runKeypool(['serve', '--hash-key'], { input: VIRTUAL_KEY })).stdout.trim();
    const running = await serve(
      [`  virtualKeys: [{ id: ops, hash: "${hash}" }]`],
      ['--dashboard', '--metrics'],
    );
    const { url, dashboardURL, metricsURL } = running.urls;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dashboardURL).toBe(`${url}/dashboard/`);
    expect(metricsURL).toBe(`${url}/metrics`);
    const port = Number(new URL(url).port);
    const external = externalAddress();
    if (external !== undefined) expect(await refused(external, port)).toBe(true);

    const openai = new OpenAI({ baseURL: running.urls.openaiBaseURL, apiKey: VIRTUAL_KEY, maxRetries: 0 });
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });

    const auth = { authorization: `Bearer ${VIRTUAL_KEY}` };
    expect((await fetch(metricsURL!)).status).toBe(401);
    const metrics = await fetch(metricsURL!, { headers: auth });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/keypool_key_requests_total\{[^}]*key="main"[^}]*\} 1/);
    expect((await fetch(`${dashboardURL}status`)).status).toBe(401);
    const status = (await (await fetch(`${dashboardURL}status`, { headers: auth })).json()) as {
      pools: { name: string }[];
    };
    expect(status.pools.map((pool) => pool.name)).toEqual(['openai']);
    const page = await fetch(`${dashboardURL}?token=${VIRTUAL_KEY}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);

    // `keypool status --url` reads the mounted dashboard with the virtual key as its token.
    const statusRun = await runKeypool(['status', '--url', dashboardURL!, '--token', VIRTUAL_KEY, '--json']);
    expect(statusRun.code).toBe(0);
    expect(statusRun.stdout).toContain('"main"');

    // An open event stream (a dashboard tab) does not hold the shutdown for the drain timeout (10 s).
    const events = await fetch(`${dashboardURL}events`, { headers: auth });
    const reader = events.body!.getReader();
    const stopped = await running.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5_000);
    while (!(await reader.read()).done) {}
    for (const secret of [UPSTREAM, VIRTUAL_KEY]) {
      expect(running.stdout()).not.toContain(secret);
      expect(running.stderr()).not.toContain(secret);
    }
  });

  it('prints the mounted URLs; a bad --dashboard path is a usage error naming it', async () => {
    const running = await serve([], ['--metrics', '/ops/metrics']);
    expect(running.urls.metricsURL).toBe(`${running.urls.url}/ops/metrics`);
    expect(running.urls).not.toHaveProperty('dashboardURL');
    expect(await (await fetch(running.urls.metricsURL!)).text()).toContain('keypool_pool_keys');
    expect((await running.stop()).code).toBe(0);
    const bad = await runKeypool(['serve', '--config', join(directory!, 'keypool.yaml'), '--dashboard', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('gateway.dashboard.path: must be a path starting with "/"');
  });
});

describe('keypool serve on SIGTERM', () => {
  it('drains a stream in flight: the client gets the whole answer, then the process exits 0', async () => {
    const running = await serve([], ['--log']);
    const openai = new OpenAI({ baseURL: running.urls.openaiBaseURL, apiKey: 'unused', maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'gpt-stall',
      messages: [{ role: 'user', content: 'alpha beta gamma delta' }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    let text = (await iterator.next()).value?.choices[0]?.delta.content ?? '';
    const stopping = running.stop();
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      text += next.value.choices[0]?.delta.content ?? '';
    expect(text).toContain('alpha beta gamma delta');
    const stopped = await stopping;
    expect(stopped.code).toBe(0);
    expect(running.stderr()).toMatch(/gateway: SIGTERM, draining 1 request\(s\)/);
    expect(running.stderr()).toMatch(/POST \/v1\/chat\/completions 200 gpt-stall stream key=main/);
    expect(emulator!.requestsFor(UPSTREAM)).toHaveLength(1);
  });
});
