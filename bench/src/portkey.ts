/**
 * The Portkey AI gateway (`@portkey-ai/gateway`, its npm build as shipped) run as a local proxy: a child process of
 * `node --import portkey-loopback.ts build/start-server.js --port=N --headless`, bound to 127.0.0.1 only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Gateway {
  /** OpenAI-compatible base URL of the gateway: `http://127.0.0.1:N/v1`. */
  baseURL: string;
  version: string;
  /** The gateway process's id (the gateway benchmark reads its CPU time). */
  pid: number | undefined;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export function gatewayPackage(): { entry: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@portkey-ai/gateway/package.json');
  const manifest = require(manifestPath) as { version: string; bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0]!;
  return { entry: join(dirname(manifestPath), bin), version: manifest.version };
}

/** Starts the gateway and resolves once it answers HTTP on loopback (or rejects after `timeoutMs`). */
export async function startGateway(timeoutMs = 20_000): Promise<Gateway> {
  const { entry, version } = gatewayPackage();
  const port = await freePort();
  const preload = fileURLToPath(new URL('./portkey-loopback.ts', import.meta.url));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', preload, entry, `--port=${port}`, '--headless'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const baseURL = `http://127.0.0.1:${port}/v1`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portkey gateway exited (${child.exitCode}): ${output}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() - started > timeoutMs) {
        child.kill('SIGKILL');
        throw new Error(`portkey gateway did not start in ${timeoutMs} ms: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    baseURL,
    version,
    pid: child.pid,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
