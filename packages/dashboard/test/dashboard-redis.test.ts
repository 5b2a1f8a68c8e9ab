import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { createKeyPool } from '@keypool/core';
import { FakeAdapter } from '@keypool/core/testing';
import { createRedisStore } from '@keypool/redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDashboard, type StatusDocument } from '../src/index';

let redis: ChildProcess;
let port = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function ping(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

beforeAll(async () => {
  port = await freePort();
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 10_000;
  while (!(await ping())) {
    if (Date.now() > deadline || redis.exitCode !== null) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
});
afterAll(async () => {
  const exited = new Promise((resolve) => redis.once('exit', resolve));
  redis.kill('SIGKILL');
  await exited;
});

it('shows the whole cluster with the Redis store: a key another process disabled appears disabled', async () => {
  const keys = [
    { id: 'k0', secret: 'sk-cluster-zero-0123456789abcdef' },
    { id: 'k1', secret: 'sk-cluster-one-0123456789abcdefg' },
  ];
  // Two processes' pools on one Redis; this one does not listen to pub/sub, so only a read of the store shows it.
  const here = createKeyPool({
    adapter: new FakeAdapter({ provider: 'openai' }),
    keys,
    store: createRedisStore({ redis: `redis://127.0.0.1:${port}`, prefix: 'dash', pubsub: false }),
  });
  const elsewhere = createKeyPool({
    adapter: new FakeAdapter({ provider: 'openai' }),
    keys,
    store: createRedisStore({ redis: `redis://127.0.0.1:${port}`, prefix: 'dash' }),
  });
  const dashboard = createDashboard({ pools: [here], refreshMs: 0, monitor: false });
  try {
    await here.whenReady();
    await elsewhere.whenReady();
    await elsewhere.disableKey('k0', 'key revoked by the provider');
    expect(here.snapshot().find((key) => key.id === 'k0')?.status).toBe('active'); // not seen here yet
    expect(elsewhere.snapshot().find((key) => key.id === 'k0')?.status).toBe('disabled');
    const status = (await (
      await dashboard.fetch(new Request('http://dash.test/status'))
    ).json()) as StatusDocument;
    const k0 = status.pools[0]?.keys.find((key) => key.id === 'k0');
    expect(k0?.status).toBe('disabled');
    expect(k0?.reason).toContain('key revoked');
  } finally {
    dashboard.close();
    await here.close();
    await elsewhere.close();
    await (here.store as { close?: () => Promise<void> }).close?.();
    await (elsewhere.store as { close?: () => Promise<void> }).close?.();
  }
});
