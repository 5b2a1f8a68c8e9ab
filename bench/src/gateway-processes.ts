/**
 * Child processes of the gateway benchmark: the Keypool gateway on a keys file, the bare forwarding proxy, and their
 * CPU time from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running Keypool gateway process. */
export interface KeypoolGatewayProcess {
  /** The OpenAI SDKs' base URL (`http://127.0.0.1:N/v1`). */
  baseURL: string;
  pid: number;
  close(): Promise<void>;
}

/** A running child process of the benchmark that serves HTTP on 127.0.0.1. */
export type ServingProcess = KeypoolGatewayProcess;

/**
 * Starts `entry` (a file of this folder) with `args` in a child process and resolves once it prints its
 * `{"url": ...}` line; `nodeArgs` go to Node (e.g. `--cpu-prof`). `close()` sends SIGTERM (SIGKILL after 3 s).
 */
async function startServing(
  entry: string,
  args: readonly string[],
  nodeArgs: readonly string[],
  timeoutMs: number,
  what: string,
): Promise<ServingProcess> {
  const file = fileURLToPath(new URL(entry, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, file, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not start in ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      const line = output.split('\n').find((text) => text.startsWith('{"url"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}): ${output}`));
    });
  });
  return {
    baseURL: `${url}/v1`,
    pid: child.pid!,
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

/**
 * Starts the built Keypool gateway in a child process on a keys file holding `secrets` as OpenAI keys, forwarding
 * to `upstream`, on 127.0.0.1 and a free port, with `nodeArgs` given to Node (e.g. `--cpu-prof`). Resolves once it
 * prints its URL.
 */
export function startKeypoolGateway(
  upstream: string,
  secrets: readonly string[],
  directory: string,
  timeoutMs = 30_000,
  nodeArgs: readonly string[] = [],
): Promise<KeypoolGatewayProcess> {
  const file = join(directory, `keypool-${secrets.length}-${Date.now()}.json`);
  const keys = secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret }));
  writeFileSync(
    file,
    JSON.stringify({
      providers: { openai: { keys } },
      gateway: { port: 0, upstreams: { openai: upstream } },
    }),
  );
  return startServing('./keypool-gateway-child.ts', [file], nodeArgs, timeoutMs, 'the Keypool gateway');
}

/**
 * Starts the bare forwarding proxy (`bare-proxy-child.ts`: Node's HTTP server and client, one key, nothing else) in a
 * child process: the floor any Node gateway pays for the second hop on this machine.
 */
export function startBareProxy(
  upstream: string,
  secret: string,
  timeoutMs = 30_000,
): Promise<ServingProcess> {
  return startServing('./bare-proxy-child.ts', [upstream, secret], [], timeoutMs, 'the bare proxy');
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
