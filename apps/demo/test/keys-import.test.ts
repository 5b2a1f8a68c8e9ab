import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, neverPrint, runKeypool, tempDir } from './run-keypool';

const FOUR_O = 'sk-import-four-o-11111111111111111111';
const MINI = 'sk-import-mini-222222222222222222222222';
const RETIRED = 'sk-import-retired-3333333333333333333';
neverPrint(FOUR_O, MINI, RETIRED);

/** A keys.json file as teams keep it (LiteLLM style). */
const KEYS_JSON = [
  {
    key_id: 'four-o',
    api_key: FOUR_O,
    model_name: 'gpt-4o',
    provider: 'openai',
    rpm: 500,
    tpm: 30000,
    active: true,
    tags: { team: 'search' },
    created_at: '2025-03-01T10:00:00Z',
  },
  { key_id: 'mini', api_key: MINI, model_name: 'gpt-4o-mini', provider: 'openai' },
  { key_id: 'retired', api_key: RETIRED, provider: 'openai', active: false },
];

describe('keypool keys import <keys.json> (run as a subprocess)', () => {
  let emulator: Emulator;
  let dir: { path: string; remove: () => Promise<void> };
  const env = { KEYPOOL_PASSPHRASE: 'import-pass' };

  beforeAll(async () => {
    emulator = await startEmulator({ keys: { [FOUR_O]: {}, [MINI]: {}, [RETIRED]: {} } });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    dir = await tempDir();
    await writeFile(join(dir.path, 'keys.json'), JSON.stringify(KEYS_JSON));
  });
  afterEach(async () => {
    await dir.remove();
  });

  const chat = (model: string, keys: string) =>
    runKeypool(
      [
        'chat',
        'Hi',
        '--keys',
        keys,
        '--vault',
        'vault.json',
        '--chain',
        `openai:${model}`,
        '--base-url',
        `openai=${emulator.baseURLs.openai}`,
        '--json',
      ],
      { env, cwd: dir.path },
    );

  it('stores the secrets in the vault and writes a keys file that binds each key to its model_name', async () => {
    const imported = await runKeypool(['keys', 'import', 'keys.json', '--vault', 'vault.json', '--json'], {
      env,
      cwd: dir.path,
    });
    expect(imported.code, imported.stderr).toBe(0);
    expect(jsonOf<{ added: number }>(imported).added).toBe(3);
    const written = JSON.parse(await readFile(join(dir.path, 'keypool.json'), 'utf8'));
    expect(written.providers.openai.keys).toEqual([
      {
        id: 'four-o',
        from: 'vault:openai/four-o',
        models: ['gpt-4o'],
        rpm: 500,
        tpm: 30000,
        tags: ['team=search'],
      },
      { id: 'mini', from: 'vault:openai/mini', models: ['gpt-4o-mini'] },
      { id: 'retired', from: 'vault:openai/retired', disabled: true },
    ]);

    for (const [model, keyId] of [
      ['gpt-4o', 'four-o'],
      ['gpt-4o-mini', 'mini'],
    ] as const) {
      const result = await chat(model, 'keypool.json');
      expect(result.code, result.stderr).toBe(0);
      expect(jsonOf<{ served: { keyId: string } }>(result).served.keyId).toBe(keyId);
    }
    // No key is bound to o3: the call fails before any request.
    const before = emulator.requests.length;
    const refused = await chat('o3', 'keypool.json');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('o3');
    expect(emulator.requests).toHaveLength(before);
    expect(emulator.requestsFor(RETIRED)).toHaveLength(0);

    // A second import reuses the stored secrets and refuses to replace the keys file without --force.
    const again = await runKeypool(['keys', 'import', 'keys.json', '--vault', 'vault.json'], {
      env,
      cwd: dir.path,
    });
    expect(again.code).toBe(5);
    expect(again.stderr).toContain('--force');
  });

  it('reads keys.json as is where a keys file is expected (chat --keys keys.json)', async () => {
    const result = await chat('gpt-4o-mini', 'keys.json');
    expect(result.code, result.stderr).toBe(0);
    expect(jsonOf<{ served: { keyId: string } }>(result).served.keyId).toBe('mini');
  });

  it('reports a bad keys.json with exit 2, naming the entry and field, and writes nothing', async () => {
    await writeFile(
      join(dir.path, 'keys.json'),
      JSON.stringify([{ key_id: 'x', api_key: FOUR_O, provider: 'openai', rpm: -1 }]),
    );
    const result = await runKeypool(['keys', 'import', 'keys.json', '--vault', 'vault.json'], {
      env,
      cwd: dir.path,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[0].rpm');
    await expect(readFile(join(dir.path, 'keypool.json'), 'utf8')).rejects.toThrow();
  });
});
