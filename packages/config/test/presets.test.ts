import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { envSource, KeysFileError } from '@keypool/keystore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFromKeysFile, type KeysFileEvents } from '../src/index';

const GROQ = 'gsk-cfg-groq-0123456789abcdef0123';
const GROQ_SPARE = 'gsk-cfg-groq-spare-0123456789abcd';
const AZURE = 'azcfg0123456789abcdef0123456789';
const API_VERSION = '2024-10-21';
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hello preset' }] });

let emulator: Emulator;
let directory: string;
beforeAll(async () => {
  emulator = await startEmulator({ keys: { [GROQ]: {}, [GROQ_SPARE]: {}, [AZURE]: {} } });
  directory = await mkdtemp(join(tmpdir(), 'keypool-config-presets-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(directory, { recursive: true, force: true });
});

describe('createFromKeysFile with OpenAI-compatible presets and Azure', () => {
  it('builds a groq pool and an Azure pool from the file, labelled by their provider, over HTTP', async () => {
    const path = join(directory, 'keypool.yaml');
    await writeFile(
      path,
      `
providers:
  groq:
    baseURL: ${emulator.baseURLs.openai}
    pool: { strategy: round-robin }
    keys:
      - { id: groq-a, from: "env:CFG_GROQ" }
      - { id: groq-b, from: "env:CFG_GROQ_SPARE" }
  azure:
    endpoint: ${emulator.azureOpenAIEndpoint}
    apiVersion: "${API_VERSION}"
    deployment: gpt-4o-prod
    keys:
      - { id: east, from: "env:CFG_AZURE" }
chain:
  - { provider: groq, model: llama-3.3-70b }
  - { provider: azure, model: gpt-4o }
`,
    );
    const keypool = await createFromKeysFile(path, {
      sources: [envSource({ CFG_GROQ: GROQ, CFG_GROQ_SPARE: GROQ_SPARE, CFG_AZURE: AZURE })],
    });
    try {
      expect(Object.keys(keypool.pools).sort()).toEqual(['azure', 'groq']);
      expect(keypool.pool('groq').provider).toBe('groq');
      expect(keypool.pool('azure').provider).toBe('azure-openai');
      const events: { provider?: string; type: string }[] = [];
      keypool.keypool.onAny((event) => events.push({ provider: event.provider, type: event.type }));

      const first = await keypool.chain!.chat(ask('ignored'));
      expect(first).toMatchObject({ provider: 'groq', model: 'llama-3.3-70b' });
      await keypool.chain!.chat(ask('ignored'));
      // round-robin from the groq section's pool options: both keys served, each once
      expect(emulator.requestsFor(GROQ)).toHaveLength(1);
      expect(emulator.requestsFor(GROQ_SPARE)).toHaveLength(1);
      expect(emulator.requestsFor(GROQ)[0]).toMatchObject({ model: 'llama-3.3-70b' });

      const azure = await keypool.pool('azure').chat(ask('ignored-by-deployment'));
      expect(azure.keyId).toBe('east');
      expect(emulator.requestsFor(AZURE).at(-1)).toMatchObject({
        provider: 'azure-openai',
        path: '/azure/openai/deployments/gpt-4o-prod/chat/completions',
      });

      expect(events.some((event) => event.provider === 'groq')).toBe(true);
      expect(events.some((event) => event.provider === 'azure-openai')).toBe(true);
      const snapshot = keypool.keypool.snapshot();
      expect(snapshot.providers.groq?.map((key) => key.id).sort()).toEqual(['groq-a', 'groq-b']);
      expect(snapshot.providers['azure-openai']?.map((key) => key.id)).toEqual(['east']);
      expect(keypool.keypool.status().providers.map((status) => status.provider)).toEqual([
        'groq',
        'azure-openai',
      ]);
      const text = JSON.stringify(snapshot);
      for (const secret of [GROQ, GROQ_SPARE, AZURE]) expect(text).not.toContain(secret);
    } finally {
      await keypool.close();
    }
  });

  it('sends the keys of a keys.json entry with provider "groq" to the preset', async () => {
    const path = join(directory, 'keys.json');
    await writeFile(
      path,
      JSON.stringify([{ key_id: 'g1', api_key: GROQ, provider: 'groq', model_name: 'llama-3.3-70b' }]),
    );
    const keypool = await createFromKeysFile(path, {
      sources: [],
      clientOptions: { groq: { baseURL: emulator.baseURLs.openai } },
    });
    try {
      const before = emulator.requestsFor(GROQ).length;
      await expect(keypool.pool('groq').chat(ask('llama-3.3-70b'))).resolves.toMatchObject({
        provider: 'groq',
        keyId: 'g1',
      });
      expect(emulator.requestsFor(GROQ)).toHaveLength(before + 1);
    } finally {
      await keypool.close();
    }
  });

  it('names a mistyped provider with a did-you-mean, and a chain step whose preset has no keys', async () => {
    const typo = await createFromKeysFile(
      { providers: { groqq: { keys: [{ id: 'a', secret: GROQ }] } } } as never,
      { sources: [] },
    ).catch((caught: unknown) => caught);
    expect(KeysFileError.isInstance(typo)).toBe(true);
    expect((typo as Error).message).toContain('providers: unknown provider "groqq" (did you mean "groq"?)');
    expect((typo as Error).message).not.toContain(GROQ);

    const chainless = await createFromKeysFile(
      {
        providers: { groq: { baseURL: emulator.baseURLs.openai, keys: [{ id: 'a', secret: GROQ }] } },
        chain: [{ provider: 'deepseek', model: 'deepseek-chat' }],
      },
      { sources: [] },
    ).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(chainless)).toBe(true);
    expect((chainless as Error).message).toContain('chain[0].provider');
    expect((chainless as Error).message).toContain('"deepseek" has no keys in this file');
  });

  it('lists a changed base URL or Azure setting as needing a restart, and applies a new preset key live', async () => {
    const path = join(directory, 'restart.json');
    const write = (groqURL: string, apiVersion: string, keys: string[]) =>
      writeFile(
        path,
        JSON.stringify({
          providers: {
            groq: { baseURL: groqURL, keys: keys.map((secret, index) => ({ id: `g${index}`, secret })) },
            azure: {
              endpoint: emulator.azureOpenAIEndpoint,
              apiVersion,
              keys: [{ id: 'east', secret: AZURE }],
            },
          },
        }),
      );
    await write(emulator.baseURLs.openai, API_VERSION, [GROQ]);
    const keypool = await createFromKeysFile(path, { sources: [] });
    try {
      await write(`${emulator.baseURLs.openai}/`, '2025-01-01', [GROQ, GROQ_SPARE]);
      const reloaded = new Promise<KeysFileEvents['config.reloaded']>((resolve) => {
        keypool.on('config.reloaded', resolve);
      });
      await keypool.reload();
      const event = await reloaded;
      expect(event.restartNeeded).toEqual(['providers.groq.baseURL', 'providers.azure.apiVersion']);
      expect(event.changes).toEqual([{ provider: 'groq', keyId: 'g1', action: 'added' }]);
      expect(keypool.pool('groq').keyIds()).toEqual(['g0', 'g1']);
    } finally {
      await keypool.close();
    }
  });

  it('refuses an Azure section without an API version, naming the setting', async () => {
    const error = await createFromKeysFile(
      {
        providers: { azure: { endpoint: emulator.azureOpenAIEndpoint, keys: [{ id: 'a', secret: AZURE }] } },
      },
      { sources: [], clientOptions: { azure: {} } },
    ).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('apiVersion');
  });
});
