import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoKeyForModelError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFromKeysFile } from '../src/index';

const FOUR_O = 'sk-json-four-o-0123456789abcdef0123';
const MINI = 'sk-json-mini-0123456789abcdef012345';
const RETIRED = 'sk-json-retired-0123456789abcdef012';
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hello' }] });

/** A keys.json file as teams keep it (LiteLLM style). */
const KEYS_JSON = [
  {
    key_id: 'four-o',
    api_key: FOUR_O,
    model_name: 'gpt-4o',
    provider: 'openai',
    rpm: 500,
    tpm: 30000,
    rpd: 10000,
    active: true,
    tags: { team: 'search' },
    created_at: '2025-03-01T10:00:00Z',
  },
  { key_id: 'mini', api_key: MINI, model_name: 'gpt-4o-mini', provider: 'openai' },
  { key_id: 'retired', api_key: RETIRED, provider: 'openai', active: false },
];

let emulator: Emulator;
let directory: string;
beforeAll(async () => {
  emulator = await startEmulator({ keys: { [FOUR_O]: {}, [MINI]: {}, [RETIRED]: {} } });
  directory = await mkdtemp(join(tmpdir(), 'keypool-keys-json-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(directory, { recursive: true, force: true });
});

describe('createFromKeysFile reads keys.json as is: model_name binds the key to that model', () => {
  it('serves each model with its own key only, and fails fast for a model no key allows', async () => {
    const path = join(directory, 'keys.json');
    await writeFile(path, JSON.stringify(KEYS_JSON));
    const keypool = await createFromKeysFile(path, {
      sources: [],
      clientOptions: { openai: { baseURL: emulator.baseURLs.openai } },
    });
    try {
      const pool = keypool.pool('openai');
      expect(pool.keyIds()).toEqual(['four-o', 'mini']); // the inactive key is left out
      expect(keypool.warnings).toEqual([]);
      for (let index = 0; index < 3; index++) {
        expect((await pool.chat(ask('gpt-4o'))).keyId).toBe('four-o');
        expect((await pool.chat(ask('gpt-4o-mini'))).keyId).toBe('mini');
      }
      expect(emulator.requestsFor(FOUR_O)).toHaveLength(3);
      expect(emulator.requestsFor(MINI)).toHaveLength(3);
      const before = emulator.requests.length;
      await expect(pool.chat(ask('o3'))).rejects.toBeInstanceOf(NoKeyForModelError);
      expect(emulator.requests).toHaveLength(before);
      const [fourO] = pool.snapshot();
      expect(fourO?.models).toEqual(['gpt-4o']);
    } finally {
      await keypool.close();
    }
  });

  it('takes the keys.json list as an object too', async () => {
    const keypool = await createFromKeysFile(KEYS_JSON, {
      sources: [],
      clientOptions: { openai: { baseURL: emulator.baseURLs.openai } },
    });
    try {
      await expect(keypool.pool('openai').chat(ask('o3'))).rejects.toBeInstanceOf(NoKeyForModelError);
      expect((await keypool.pool('openai').chat(ask('gpt-4o-mini'))).keyId).toBe('mini');
    } finally {
      await keypool.close();
    }
  });
});
