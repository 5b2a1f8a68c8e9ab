import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { CLI } from './run-keypool';

const DEAD = 'sk-redis-dead-0123456789abcdef';
const GOOD = 'sk-redis-good-0123456789abcdef';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway redis-server on 127.0.0.1 and waits until it answers PING. */
async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const pong = () =>
    new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
      socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    });
  for (let tries = 0; !(await pong()); tries++) {
    if (tries > 200 || child.exitCode !== null) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Runs `keypool serve --json` and resolves with the process and its OpenAI base URL. */
async function serve(
  config: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; baseURL: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--json'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const baseURL = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('\n'))
        resolve((JSON.parse(stdout.split('\n')[0]!) as { openaiBaseURL: string }).openaiBaseURL);
    });
    child.on('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stderr}`)));
  });
  return { child, baseURL };
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('keypool serve with Redis', () => {
  it('two gateway processes share key state: a disabled key and a rate limit are counted once', async () => {
    const redis = await startRedis();
    const emulator = await startEmulator({ keys: { [DEAD]: { invalid: true }, [GOOD]: {} } });
    const directory = await mkdtemp(join(tmpdir(), 'keypool-serve-redis-'));
    const config = join(directory, 'keypool.json');
    const prefix = `t${Date.now()}`;
    await writeFile(
      config,
      JSON.stringify({
        providers: {
          openai: {
            keys: [
              { id: 'dead', from: 'env:DEAD_KEY' },
              { id: 'good', from: 'env:GOOD_KEY', rpm: 2 },
            ],
          },
        },
        gateway: {
          port: 0,
          upstreams: { openai: emulator.baseURLs.openai },
          redis: { url: redis.url, prefix },
        },
      }),
    );
    const env = { HOME: directory, DEAD_KEY: DEAD, GOOD_KEY: GOOD };
    const gateways = [await serve(config, env), await serve(config, env)];
    try {
      const [first, second] = gateways.map(
        ({ baseURL }) => new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 }),
      ) as [OpenAI, OpenAI];
      const ask = (client: OpenAI) =>
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      await ask(first); // the dead key fails once here and is disabled for both
      await ask(second); // the second process never tries it
      // The good key's rpm of 2 is spent across both processes: the third call is refused before it is sent.
      await expect(ask(second)).rejects.toMatchObject({ status: 429 });
      expect(emulator.requestsFor(DEAD)).toHaveLength(1);
      expect(emulator.requestsFor(GOOD)).toHaveLength(2);
      // Each provider's pool has its own Redis Cluster hash tag under the prefix, so a cluster can spread pools.
      const names = execFileSync('redis-cli', ['-u', redis.url, '--scan', '--pattern', `${prefix}*`], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean);
      expect(names.filter((name) => name.includes(':key:')).length).toBeGreaterThan(0);
      for (const name of names) expect(name.startsWith(`${prefix}:{openai}:`)).toBe(true);
    } finally {
      const codes = await Promise.all(gateways.map(({ child }) => stop(child)));
      await emulator.close();
      await redis.stop();
      await rm(directory, { recursive: true, force: true });
      expect(codes).toEqual([0, 0]);
    }
  });
});
