import { ConfigError } from '@keypool/core';
import { startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../src/gateway-config';
import { createGatewayPools, type GatewayPoolOptions } from '../src/gateway-pools';
import { startGateway } from '../src/gateway-server';

const DEAD = 'sk-poolopts-revoked-0123456789';
const GOOD = 'sk-poolopts-healthy-0123456789';

/** A gateway over one OpenAI pool (a revoked key first, a healthy one second) with the given pool options. */
async function gatewayWith(poolOptions: GatewayPoolOptions) {
  const emulator = await startEmulator({ keys: { [DEAD]: { invalid: true }, [GOOD]: {} } });
  const pools = await createGatewayPools({
    keys: {
      openai: [
        { id: 'dead', secret: DEAD },
        { id: 'good', secret: GOOD },
      ],
    },
    poolOptions: { openai: poolOptions },
    upstreams: emulator.baseURLs,
  });
  const gateway = await startGateway({ config: parseGatewayConfig({ port: 0 }), pools });
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const call = (index: number) =>
    client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `call ${index}` }],
    });
  return {
    emulator,
    call,
    close: async () => {
      await gateway.close();
      await emulator.close();
    },
  };
}

describe("the keys file's pool options reach the gateway's pools", () => {
  it('maxAttempts: 1 answers the first failure instead of rotating to the next key', async () => {
    const { emulator, call, close } = await gatewayWith({ strategy: 'round-robin', maxAttempts: 1 });
    try {
      const outcomes = await Promise.allSettled([call(1), call(2)]);
      // One attempt per call: the call that met the revoked key fails (its pool is out of attempts), the other is
      // served; 2 upstream requests in all.
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      const failed = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      expect(failed.reason).toMatchObject({ status: 429 });
      expect(String(failed.reason)).toContain('attempts_exhausted');
      expect(emulator.requestsFor(DEAD).length + emulator.requestsFor(GOOD).length).toBe(2);
    } finally {
      await close();
    }
  });

  it('failureThreshold keeps a failing key in rotation until it has failed that many times in a row', async () => {
    const { emulator, call, close } = await gatewayWith({ strategy: 'round-robin', failureThreshold: 3 });
    try {
      for (let index = 0; index < 10; index++) await call(index);
      // With the default threshold (1) the revoked key is disabled on its first 401; here on its third.
      expect(emulator.requestsFor(DEAD)).toHaveLength(3);
      expect(emulator.requestsFor(GOOD)).toHaveLength(10);
    } finally {
      await close();
    }
  });

  it("checks them with core's schema: a bad value is a ConfigError at the provider's pool path", async () => {
    const keys = { openai: [{ id: 'good', secret: GOOD }] };
    const bad = createGatewayPools({
      keys,
      poolOptions: { openai: { failureThreshold: 0, retryBackoff: { factor: 0.5 } } },
    });
    await expect(bad).rejects.toBeInstanceOf(ConfigError);
    const error = (await bad.catch((caught: unknown) => caught)) as ConfigError;
    expect(error.issues.map((issue) => issue.path).sort()).toEqual([
      'providers.openai.pool.failureThreshold',
      'providers.openai.pool.retryBackoff.factor',
    ]);
    expect(error.message).toContain('failureThreshold must be an integer >= 1');
    await expect(
      createGatewayPools({ keys, poolOptions: { openai: { strategy: 'fastest' as 'random' } } }),
    ).rejects.toThrow(/providers\.openai\.pool\.strategy: unknown strategy "fastest"/);
  });
});
