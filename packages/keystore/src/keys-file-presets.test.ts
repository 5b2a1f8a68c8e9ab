import { describe, expect, it } from 'vitest';
import { keysFromEnv } from './keys-from-env';
import { parseKeysFile } from './parse-keys-file';
import { resolveKeysFile } from './resolve-keys-file';

describe('presets and Azure in keys files, keys.json and the environment', () => {
  it('reads preset and Azure sections with their settings and resolves their keys', async () => {
    const loaded = parseKeysFile(
      JSON.stringify({
        providers: {
          groq: {
            baseURL: 'http://127.0.0.1:9/openai/v1',
            keys: [{ id: 'g1', from: 'env:GROQ_ONE' }],
            pool: { strategy: 'round-robin' },
          },
          azure: {
            endpoint: 'https://example.openai.azure.com',
            apiVersion: '2024-10-21',
            deployment: 'gpt-4o-prod',
            keys: [{ id: 'az1', from: 'env:AZ_ONE' }],
          },
        },
        chain: [
          { provider: 'groq', model: 'llama-3.3-70b' },
          { provider: 'azure', model: 'gpt-4o' },
        ],
      }),
      { file: 'keypool.json' },
    );
    expect(loaded.data.providers?.groq?.baseURL).toBe('http://127.0.0.1:9/openai/v1');
    expect(loaded.data.providers?.azure?.deployment).toBe('gpt-4o-prod');
    const resolved = await resolveKeysFile(loaded, {
      sources: [
        {
          scheme: 'env',
          resolve: async (name) =>
            ({ GROQ_ONE: 'gsk-one-1234567890', AZ_ONE: 'az-one-1234567890' })[name] ?? '',
        },
      ],
    });
    expect(resolved.keys.groq.map((key) => key.id)).toEqual(['g1']);
    expect(resolved.keys.azure.map((key) => key.id)).toEqual(['az1']);
    expect(resolved.keys.openai).toEqual([]);
    expect(resolved.pools.groq?.strategy).toBe('round-robin');
    expect(resolved.chains.default?.map((step) => step.provider)).toEqual(['groq', 'azure']);
  });

  it('loads keys.json entries whose provider is a preset or Azure', () => {
    const loaded = parseKeysFile(
      JSON.stringify([
        { key_id: 'g1', api_key: 'gsk-abcdef-123456', provider: 'groq', model_name: 'llama-3.3-70b' },
        { key_id: 'a1', api_key: 'az-abcdef-123456', provider: 'Azure_OpenAI' },
      ]),
      { file: 'keys.json' },
    );
    expect(loaded.data.providers?.groq?.keys?.[0]).toMatchObject({ id: 'g1', models: ['llama-3.3-70b'] });
    expect(loaded.data.providers?.azure?.keys?.[0]?.id).toBe('a1');
  });

  it('discovers preset and Azure keys in the environment by their own variables', () => {
    const keys = keysFromEnv({
      GROQ_API_KEY: 'gsk-first-1234567',
      GROQ_API_KEY_2: 'gsk-second-1234567',
      PPLX_API_KEY: 'pplx-1234567890',
      AZURE_OPENAI_API_KEY: 'az-1234567890',
      OPENAI_API_KEY: 'sk-openai-1234567',
    });
    expect(keys.groq.map((key) => key.id)).toEqual(['env:GROQ_API_KEY', 'env:GROQ_API_KEY_2']);
    expect(keys.perplexity.map((key) => key.id)).toEqual(['env:PPLX_API_KEY']);
    expect(keys.azure.map((key) => key.id)).toEqual(['env:AZURE_OPENAI_API_KEY']);
    // AZURE_OPENAI_API_KEY is not an OpenAI key.
    expect(keys.openai.map((key) => key.id)).toEqual(['env:OPENAI_API_KEY']);
  });
});
