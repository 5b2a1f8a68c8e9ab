import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@keypool/core';
import { envSource } from '@keypool/keystore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayPools, loadGatewayFile, ModelRouter, parseGatewayConfig } from '../src/index';

const SECRET = 'gsk-gateway-refused-0123456789abcdef';
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-gateway-presets-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function refusal(run: () => Promise<unknown>): Promise<ConfigError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!ConfigError.isInstance(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

describe('the gateway and providers it does not serve', () => {
  it('refuses a keys file with preset or Azure keys and chain steps, naming each path and what it serves', async () => {
    const file = join(directory, 'keypool.json');
    await writeFile(
      file,
      JSON.stringify({
        providers: {
          openai: { keys: [{ id: 'o', from: 'env:GW_KEY' }] },
          groq: { keys: [{ id: 'g', from: 'env:GW_KEY' }] },
          azure: { keys: [{ id: 'a', from: 'env:GW_KEY' }] },
        },
        chain: [
          { provider: 'openai', model: 'gpt-4o-mini' },
          { provider: 'groq', model: 'llama-3.3-70b' },
        ],
      }),
    );
    let resolved = false;
    const error = await refusal(() =>
      loadGatewayFile(file, {
        port: 0,
        sources: [
          {
            scheme: 'env',
            resolve: async (name) => {
              resolved = true;
              return envSource({ GW_KEY: SECRET }).resolve(name);
            },
          },
        ],
      }),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'providers.groq',
      'providers.azure',
      'chain[1].provider',
    ]);
    expect(error.message).toContain(
      '"groq" is not served by the gateway (it serves openai, anthropic, gemini, mistral)',
    );
    expect(error.message).not.toContain(SECRET);
    // Refused before any secret is resolved.
    expect(resolved).toBe(false);
  });

  it('refuses preset keys given to createGatewayPools, and names them in a model route', async () => {
    const error = await refusal(() => createGatewayPools({ keys: { groq: [{ id: 'g', secret: SECRET }] } }));
    expect(error.issues[0]?.path).toBe('providers.groq');
    expect(() => parseGatewayConfig({ models: { fast: { provider: 'groq', model: 'llama' } } })).toThrow(
      /gateway\.models\.fast\.provider: "groq" is not served by the gateway/,
    );
    expect(() => parseGatewayConfig({ models: { quick: 'xai/grok-3' } })).toThrow(
      /gateway\.models\.quick: "xai" is not served by the gateway/,
    );
    expect(() => parseGatewayConfig({ upstreams: { groq: 'http://127.0.0.1:1/v1' } })).toThrow(
      /gateway\.upstreams\.groq: "groq" is not served by the gateway/,
    );
    expect(() => parseGatewayConfig({ models: { fast: { provider: 'openia', model: 'gpt' } } })).toThrow(
      /unknown provider "openia" \(did you mean "openai"\?\); known: openai, anthropic, gemini, mistral/,
    );
  });
});

describe('ModelRouter and preset-like model names', () => {
  it('keeps an OpenRouter-style name such as deepseek/deepseek-chat a model of the API it came in on', async () => {
    const pools = await createGatewayPools({ keys: { openai: [{ id: 'o', secret: SECRET }] } });
    try {
      const router = new ModelRouter({}, pools.pools, pools.chains);
      expect(router.route('deepseek/deepseek-chat', 'openai')).toMatchObject({
        kind: 'pool',
        provider: 'openai',
        model: 'deepseek/deepseek-chat',
      });
      expect(router.route('openai/gpt-4o-mini', 'anthropic')).toMatchObject({
        provider: 'openai',
        model: 'gpt-4o-mini',
      });
    } finally {
      await pools.close();
    }
  });
});
