import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, NoKeyForModelError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { KeysFileError } from '@keypool/keystore';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFromKeysFile } from '../src/index';

const OPENAI_MINI = 'sk-cfg-openai-mini-0123456789abcdef';
const OPENAI_MAIN = 'sk-cfg-openai-main-0123456789abcdef';
const OPENAI_SPARE = 'sk-cfg-openai-spare-0123456789abcde';
const CLAUDE = 'sk-ant-cfg-claude-0123456789abcdef';
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hello' }] });

let emulator: Emulator;
let directory: string;

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [OPENAI_MINI]: {}, [OPENAI_MAIN]: {}, [OPENAI_SPARE]: {}, [CLAUDE]: {} },
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-config-'));
  emulator.reset();
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const clientOptions = () => ({
  openai: { baseURL: emulator.baseURLs.openai },
  anthropic: { baseURL: emulator.baseURLs.anthropic },
});
const servedBy = (secret: string) => emulator.requestsFor(secret).length;

describe('createFromKeysFile', () => {
  it('builds the pools and the chain a YAML keys file describes, with the real SDKs', async () => {
    const path = join(directory, 'keypool.yaml');
    await writeFile(
      path,
      `
pool:
  strategy: priority
  deadlineMs: 20000
providers:
  openai:
    keys:
      - { id: mini, from: "env:CFG_OPENAI_MINI", models: ["gpt-4o-mini*"] }
      - { id: main, from: "env:CFG_OPENAI_MAIN", priority: 1 }
      - { id: spare, from: "env:CFG_OPENAI_SPARE", priority: 2 }
  anthropic:
    pool: { strategy: round-robin }
    keys:
      - { id: claude, from: "env:CFG_CLAUDE" }
chain:
  - { provider: openai, model: gpt-4o }
  - { provider: anthropic, model: claude-sonnet-4-5 }
`,
    );
    const env = {
      CFG_OPENAI_MINI: OPENAI_MINI,
      CFG_OPENAI_MAIN: OPENAI_MAIN,
      CFG_OPENAI_SPARE: OPENAI_SPARE,
      CFG_CLAUDE: CLAUDE,
    };
    const { envSource } = await import('@keypool/keystore');
    const keypool = await createFromKeysFile(path, {
      sources: [envSource(env)],
      clientOptions: clientOptions(),
    });
    try {
      expect(Object.keys(keypool.pools).sort()).toEqual(['anthropic', 'openai']);
      // The priority strategy: "main" (priority 1) serves gpt-4o; "mini" is bound to gpt-4o-mini only.
      for (let index = 0; index < 3; index++) {
        const answer = await keypool.chain!.chat(ask('ignored'));
        expect(answer.provider).toBe('openai');
        expect(answer.keyId).toBe('main');
      }
      expect(servedBy(OPENAI_MAIN)).toBe(3);
      expect(servedBy(OPENAI_MINI)).toBe(0);
      // gpt-4o-mini: "main" still goes first (priority 1 before a key with no priority).
      await keypool.pool('openai').chat(ask('gpt-4o-mini'));
      expect(servedBy(OPENAI_MAIN)).toBe(4);
      // The native client too: the SDK's own call, routed through the pool.
      const openai = keypool.pool('openai') as unknown as {
        client: { chat: { completions: { create(body: unknown): Promise<{ model: string }> } } };
      };
      await openai.client.chat.completions.create(ask('gpt-4o'));
      expect(servedBy(OPENAI_MAIN)).toBe(5);
      await expect(keypool.pool('anthropic').chat(ask('claude-sonnet-4-5'))).resolves.toMatchObject({
        keyId: 'claude',
      });
      const snapshot = keypool.keypool.snapshot();
      expect(snapshot.providers.openai?.find((key) => key.id === 'mini')?.models).toEqual(['gpt-4o-mini*']);
      expect(JSON.stringify(snapshot)).not.toContain(OPENAI_MAIN);
      expect(() => keypool.pool('gemini')).toThrow(ConfigError);
    } finally {
      await keypool.close();
    }
  });

  it('takes the keys file as an object, and fails fast for a model no key allows', async () => {
    const keypool = await createFromKeysFile(
      {
        providers: {
          openai: { keys: [{ id: 'mini', secret: OPENAI_MINI, models: ['gpt-4o-mini'] }] },
        },
      },
      { sources: [], clientOptions: clientOptions() },
    );
    try {
      expect(keypool.warnings.map((warning) => warning.code)).toContain('inline_secret');
      const error = await keypool
        .pool('openai')
        .chat(ask('gpt-4o'))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NoKeyForModelError);
      expect(emulator.requests).toHaveLength(0);
    } finally {
      await keypool.close();
    }
  });

  it('reports a bad file with its path, and a chain step whose provider has no keys', async () => {
    const path = join(directory, 'bad.json');
    await writeFile(path, JSON.stringify({ providers: { openai: { keys: [{ id: 'x', from: 'nope' }] } } }));
    const error = await createFromKeysFile(path, { sources: [] }).catch((caught: unknown) => caught);
    expect(KeysFileError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('providers.openai.keys[0].from');
    const chainless = await createFromKeysFile(
      {
        providers: { openai: { keys: [{ id: 'a', secret: OPENAI_MAIN }] } },
        chains: { fast: [{ provider: 'mistral', model: 'mistral-small' }] },
      },
      { sources: [], clientOptions: clientOptions() },
    ).catch((caught: unknown) => caught);
    expect(chainless).toBeInstanceOf(ConfigError);
    expect((chainless as ConfigError).issues[0]).toEqual({
      path: 'chains.fast[0].provider',
      message: '"mistral" has no keys in this file',
    });
  });
});
