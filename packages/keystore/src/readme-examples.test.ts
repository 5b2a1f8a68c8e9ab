import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envSource } from './env-source';
import { keysFromEnv } from './keys-from-env';
import { keysJsonToKeysFile } from './keys-json-to-keys-file';
import { findKeysFile, loadKeysFile } from './load-keys-file';
import { parseKeysFile } from './parse-keys-file';
import { parseKeysJson } from './parse-keys-json';
import { resolveKeysFile } from './resolve-keys-file';
import { Vault } from './vault';
import { vaultSource } from './vault-source';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const FAST = { N: 2 ** 10, r: 8, p: 1 };

/** The README's code blocks in one language. */
function blocks(language: string): string[] {
  return [...readme.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (match) => match[1]!,
  );
}

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-readme-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the README', () => {
  it('shows a keys file in JSON and in YAML that are both valid', () => {
    const [json] = blocks('json');
    const [yaml] = blocks('yaml');
    const fromJson = parseKeysFile(json!, { file: 'keypool.json' });
    const fromYaml = parseKeysFile(yaml!, { file: 'keypool.yaml' });
    expect(fromJson.warnings).toEqual([]);
    expect(fromYaml.data.chains).toEqual(fromJson.data.chains);
    expect(fromYaml.data.providers?.openai?.pool).toEqual(fromJson.data.providers?.openai?.pool);
  });

  it('shows presets and Azure in a keys file that parses, with a did-you-mean for a typo', () => {
    const presets = blocks('yaml')[1]!;
    const loaded = parseKeysFile(presets, { file: 'keypool.yaml' });
    expect(Object.keys(loaded.data.providers ?? {}).sort()).toEqual(['azure', 'deepseek', 'groq']);
    expect(loaded.data.providers?.azure?.apiVersion).toBe('2024-10-21');
    expect(loaded.data.chain?.map((step) => step.provider)).toEqual(['groq', 'azure']);
    expect(() => parseKeysFile(presets.replace('  groq:', '  grok:'), { file: 'keypool.yaml' })).toThrow(
      'providers: unknown provider "grok" (did you mean "xai"?); known: openai, anthropic,',
    );
  });

  it('runs the env example', () => {
    const keys = keysFromEnv({
      OPENAI_API_KEY: 'sk-a-0123456789abcdef',
      OPENAI_API_KEYS: 'sk-b-0123456789,sk-c-0123456789',
    });
    expect(keys.openai.map((key) => key.id)).toEqual([
      'env:OPENAI_API_KEY',
      'env:OPENAI_API_KEYS#1',
      'env:OPENAI_API_KEYS#2',
    ]);
    expect(keys.anthropic).toEqual([]);
  });

  it('runs the keys file and vault examples together', async () => {
    const vault = new Vault({
      path: join(directory, 'vault.json'),
      passphrase: () => 'typed at a prompt',
      scrypt: FAST,
    });
    await vault.add({
      provider: 'openai',
      id: 'main',
      secret: 'sk-main-0123456789abcdef',
      primary: true,
      limits: { rpm: 500 },
    });
    const anthropic = await vault.add({ provider: 'anthropic', secret: 'sk-ant-0123456789abcdef' });
    expect(anthropic.id).toMatch(/^anthropic-[0-9a-f]{8}$/);
    await vault.add({ provider: 'anthropic', id: 'main', secret: 'sk-ant-main-0123456789' });
    await vault.disable('openai', 'main', 'leaked');
    await vault.enable('openai', 'main');
    await vault.setPrimary('openai', 'main');
    await vault.remove('anthropic', anthropic.id);
    expect((await vault.keys()).openai.map((key) => key.id)).toEqual(['main']);

    await writeFile(join(directory, 'keypool.json'), blocks('json')[0]!);
    const path = await findKeysFile(directory);
    const file = await loadKeysFile(path!);
    const { keys, pools, chains, warnings } = await resolveKeysFile(file, {
      sources: [envSource({ OPENAI_PROD_KEY: 'sk-prod-0123456789abcdef' }), vaultSource(vault)],
    });
    expect(keys.openai.map((key) => key.id)).toEqual(['prod-1', 'prod-2']);
    expect(keys.anthropic.map((key) => key.secret)).toEqual(['sk-ant-main-0123456789']);
    expect(pools.openai?.strategy).toBe('weighted');
    expect(chains.default).toHaveLength(2);
    expect(warnings).toEqual([]);

    await vault.rekey({ passphrase: 'a new passphrase' });
    expect(
      await new Vault({ path: vault.path, passphrase: 'a new passphrase' }).getSecret('openai', 'main'),
    ).toBe('sk-main-0123456789abcdef');
  });
});

describe('the README keys.json section', () => {
  it('runs as written', () => {
    // --- README keys.json start
    const { keys, entries } = parseKeysJson([
      {
        key_id: 'prod-1',
        api_key: 'sk-proj-0123456789abcdef',
        provider: 'openai',
        model_name: 'gpt-4o',
        rpm: 500,
        tpm: 30000,
        active: true,
        tags: { team: 'search' },
        created_at: '2025-03-01T10:00:00Z',
      },
      { key_id: 'retired', api_key: 'sk-proj-fedcba9876543210', provider: 'openai', active: false },
      { key_id: 'claude-1', api_key: 'sk-ant-0123456789abcdef', provider: 'claude' },
    ]);
    // --- README keys.json end
    expect({ ...keys.openai[0] }).toEqual({
      id: 'prod-1',
      secret: 'sk-proj-0123456789abcdef',
      models: ['gpt-4o'],
      limits: { rpm: 500, tpm: 30000 },
      tags: ['team=search'],
    });
    expect(keys.anthropic.length).toBe(1);
    expect(entries[0]?.model).toBe('gpt-4o');
  });

  it('is the README block, word for word', () => {
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const body = /\/\/ --- README keys\.json start\n([\s\S]*?)\n\s*\/\/ --- README keys\.json end/.exec(
      source,
    )![1]!;
    const dedented = body.replace(/^ {4}/gm, '');
    const block = blocks('ts').find((code) => code.includes('parseKeysJson('));
    expect(block).toBeDefined();
    expect(block!.startsWith(`${dedented}\n`)).toBe(true);
  });
});

describe('the README keys.json to keys file example', () => {
  it('runs as written', () => {
    // --- README keysJsonToKeysFile start
    const keysFile = keysJsonToKeysFile(
      parseKeysJson([
        { key_id: 'prod-1', api_key: 'sk-proj-0123456789abcdef', provider: 'openai', model_name: 'gpt-4o' },
      ]),
    );
    // --- README keysJsonToKeysFile end
    expect(keysFile.providers?.openai?.keys).toEqual([
      { id: 'prod-1', secret: 'sk-proj-0123456789abcdef', models: ['gpt-4o'] },
    ]);
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const body =
      /\/\/ --- README keysJsonToKeysFile start\n([\s\S]*?)\n\s*\/\/ --- README keysJsonToKeysFile end/
        .exec(source)![1]!
        .replace(/^ {4}/gm, '');
    const block = blocks('ts').find((code) => code.includes('keysJsonToKeysFile('));
    expect(block?.startsWith(`${body}\n`)).toBe(true);
  });
});
