import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envSource } from './env-source';
import { keysFromEnv } from './keys-from-env';
import { KeystoreError } from './keystore-error';
import { loadKeysFile } from './load-keys-file';
import { parseKeysFile } from './parse-keys-file';
import { resolveKeysFile } from './resolve-keys-file';
import { Vault } from './vault';
import { vaultSource } from './vault-source';

/** A secret and a passphrase that must never show up anywhere but where they are stored. */
const CANARY = 'sk-CANARY-7f3a9c1e5b2d4f6a8c0e';
const CANARY_PASSPHRASE = 'CANARY-PASSPHRASE-d41d8cd98f00';
const FAST = { N: 2 ** 10, r: 8, p: 1 };

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-canary-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Every way an error can be shown: message, stack, JSON, inspect (with its cause chain), String. */
function renderings(error: unknown): string[] {
  const value = error as Error;
  return [
    String(value?.message),
    String(value?.stack),
    JSON.stringify(value),
    inspect(value, { depth: 10, showHidden: true }),
    String(value),
  ];
}

function expectClean(texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(CANARY.slice(8, 24));
    expect(text).not.toContain(CANARY_PASSPHRASE);
  }
}

async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('a canary secret never appears in an error, warning or output', () => {
  const vaultPath = () => join(directory, 'vault.json');
  const vault = (passphrase = CANARY_PASSPHRASE) =>
    new Vault({ path: vaultPath(), passphrase, scrypt: FAST, env: {} });

  const scenarios: [string, () => unknown][] = [
    [
      'an empty env var next to the canary',
      () => keysFromEnv({ OPENAI_API_KEY: CANARY, OPENAI_API_KEY_2: '' }),
    ],
    ['an empty list item next to the canary', () => keysFromEnv({ OPENAI_API_KEYS: `${CANARY},,x` })],
    [
      'a keys file with an inline canary and another error',
      () =>
        parseKeysFile(
          JSON.stringify({ providers: { openai: { keys: [{ id: 'a', secret: CANARY, rpm: -1 }] } } }),
          {
            file: 'k.json',
          },
        ),
    ],
    [
      'a canary inline secret with a wrong type beside it',
      () =>
        parseKeysFile(
          JSON.stringify({ providers: { openai: { keys: [{ id: 'a', secret: CANARY, from: 5 }] } } }),
          {
            file: 'k.json',
          },
        ),
    ],
    [
      'a JSON syntax error at the canary',
      () => parseKeysFile(`{"providers": ${CANARY}}`, { file: 'k.json' }),
    ],
    [
      'a JSON syntax error after the canary',
      () => parseKeysFile(`{"a": "${CANARY}" "b"}`, { file: 'k.json' }),
    ],
    [
      'an unterminated JSON string holding the canary',
      () => parseKeysFile(`{"a": "${CANARY}`, { file: 'k.json' }),
    ],
    ['a YAML syntax error at the canary', () => parseKeysFile(`a: "${CANARY}\nb: [`, { file: 'k.yaml' })],
    [
      'a YAML mapping error on the canary line',
      () => parseKeysFile(`a: b: ${CANARY}\n  c`, { file: 'k.yaml' }),
    ],
    [
      'the canary pasted as a field name',
      () => parseKeysFile(JSON.stringify({ [CANARY]: 1 }), { file: 'k.json' }),
    ],
    [
      'the canary as a wrong enum value',
      () =>
        parseKeysFile(JSON.stringify({ chains: { a: [{ provider: CANARY, model: 'm' }] } }), {
          file: 'k.json',
        }),
    ],
    [
      'the canary as a wrong type',
      () =>
        parseKeysFile(JSON.stringify({ providers: { openai: { pool: { strategy: CANARY } } } }), {
          file: 'k.json',
        }),
    ],
    ['a vault with a wrong passphrase', () => vault('wrong').list()],
    [
      'a vault with a tampered ciphertext',
      async () => {
        const file = JSON.parse(await readFile(vaultPath(), 'utf8'));
        await writeFile(
          join(directory, 'tampered.json'),
          JSON.stringify({
            ...file,
            ciphertext: `${file.ciphertext[0] === 'A' ? 'B' : 'A'}${file.ciphertext.slice(1)}`,
          }),
        );
        return new Vault({
          path: join(directory, 'tampered.json'),
          passphrase: CANARY_PASSPHRASE,
          env: {},
        }).list();
      },
    ],
    ['adding the canary twice', () => vault().add({ provider: 'openai', id: 'again', secret: CANARY })],
    [
      'adding under a taken id',
      () => vault().add({ provider: 'openai', id: 'canary', secret: `${CANARY}-2` }),
    ],
    [
      'adding with a bad weight',
      () => vault().add({ provider: 'openai', id: 'w', secret: `${CANARY}-3`, weight: -1 }),
    ],
    ['a missing vault entry', () => vault().getSecret('openai', 'missing')],
    [
      'resolving a missing env ref among canary keys',
      () =>
        resolveKeysFile(
          parseKeysFile(
            JSON.stringify({
              providers: {
                openai: {
                  keys: [
                    { id: 'a', from: 'env:CANARY' },
                    { id: 'b', from: 'env:NOPE' },
                  ],
                },
              },
            }),
            { file: 'k.json' },
          ).data,
          { sources: [envSource({ CANARY })] },
        ),
    ],
    [
      'resolving a vault ref with a wrong passphrase',
      () =>
        resolveKeysFile(
          parseKeysFile(
            JSON.stringify({ providers: { openai: { keys: [{ id: 'a', from: 'vault:canary' }] } } }),
            { file: 'k.json' },
          ).data,
          { sources: [vaultSource({ path: vaultPath(), passphrase: 'wrong', env: {} })] },
        ),
    ],
    [
      'resolving a key pasted where an env reference goes',
      () =>
        resolveKeysFile(
          parseKeysFile(
            JSON.stringify({ providers: { openai: { keys: [{ id: 'a', from: `env:${CANARY}` }] } } }),
            { file: 'k.json' },
          ).data,
          { sources: [envSource({})] },
        ),
    ],
    ['loading a keys file named after nothing secret', () => loadKeysFile(join(directory, 'missing.json'))],
  ];

  beforeAll(async () => {
    await vault().add({ provider: 'openai', id: 'canary', secret: CANARY });
  });

  it.each(scenarios)('%s', async (_name, run) => {
    const error = await thrown(run);
    expect(KeystoreError.isInstance(error)).toBe(true);
    expect(typeof (error as KeystoreError).code).toBe('string');
    expectClean(renderings(error));
  });

  it('in warnings, parsed files, resolved keys, vault listings and the vault object', async () => {
    const loaded = parseKeysFile(
      JSON.stringify({ providers: { openai: { keys: [{ id: 'a', secret: CANARY }] } } }),
      {
        file: 'k.json',
      },
    );
    const resolved = await resolveKeysFile(loaded, { sources: [] });
    const fromEnv = keysFromEnv({ OPENAI_API_KEY: CANARY });
    const listed = await vault().list();
    const keys = await vault().keys();
    const everything = { loaded, resolved, fromEnv, listed, keys, vault: vault() };
    expectClean([
      JSON.stringify(everything),
      inspect(everything, { depth: 20 }),
      String(fromEnv.openai[0]),
      String(keys.openai[0]),
      String(vault()),
      JSON.stringify(loaded.warnings),
    ]);
    // ...while the secret itself is still there for the pool.
    expect(resolved.keys.openai[0]?.secret).toBe(CANARY);
    expect(keys.openai[0]?.secret).toBe(CANARY);
  });

  it('nor in the vault file on disk', async () => {
    const text = await readFile(vaultPath(), 'utf8');
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(CANARY_PASSPHRASE);
    expect(text).not.toContain(Buffer.from(CANARY).toString('base64').slice(0, 16));
  });
});
