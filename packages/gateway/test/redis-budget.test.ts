import { spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisVirtualKeyBudget } from '../src/redis-virtual-key-budget';
import { hashVirtualKey } from '../src/virtual-keys';

let url = '';
let stopRedis: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
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
    if (tries > 200) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  url = `redis://127.0.0.1:${port}`;
  stopRedis = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
});
afterAll(() => stopRedis());

const key = { id: 'team-a', hash: hashVirtualKey('kp-a'), rpm: 2, tpm: 1000 };

describe('RedisVirtualKeyBudget', () => {
  it('counts one budget across two gateways on the same Redis', async () => {
    const prefix = `budget-${Date.now()}`;
    const first = new RedisVirtualKeyBudget(url, prefix);
    const second = new RedisVirtualKeyBudget(url, prefix);
    try {
      expect(typeof (await first.take(key, 10))).toBe('object');
      expect(typeof (await second.take(key, 10))).toBe('object');
      const refused = await first.take(key, 10);
      expect(typeof refused).toBe('number');
      expect(refused as number).toBeGreaterThan(0);
      expect(refused as number).toBeLessThanOrEqual(60_000);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('refuses by tokens too, and settles real usage', async () => {
    const budget = new RedisVirtualKeyBudget(url, `tokens-${Date.now()}`);
    try {
      const ticket = await budget.take({ ...key, rpm: undefined }, 900);
      if (typeof ticket === 'number') throw new Error('refused');
      expect(typeof (await budget.take({ ...key, rpm: undefined }, 200))).toBe('number');
      ticket.settle(100); // only 100 were used: 800 come back
      await expect
        .poll(async () => typeof (await budget.take({ ...key, rpm: undefined }, 200)))
        .toBe('object');
    } finally {
      await budget.close();
    }
  });
});
