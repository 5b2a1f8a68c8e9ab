import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envSource } from './env-source';
import { loadKeysFile } from './load-keys-file';
import { parseKeysFile } from './parse-keys-file';
import { resolveKeysFile } from './resolve-keys-file';
import { SecretResolveError } from './secret-resolve-error';
import type { SecretSource } from './secret-source';
import { Vault } from './vault';
import { vaultSource } from './vault-source';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const fixturePath = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url).pathname;
const PROD_SECRET = 'sk-proj-prod-0123456789abcdefXYZ1';
const VAULT_SECRET = 'sk-proj-vault-0123456789abcdefXYZ2';

let directory: string;
let vault: Vault;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-resolve-'));
  vault = new Vault({ path: join(directory, 'vault.json'), passphrase: 'pw', scrypt: FAST, env: {} });
  await vault.add({ provider: 'openai', id: 'main', secret: VAULT_SECRET });
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<SecretResolveError> {
  try {
    await promise;
  } catch (error) {
    if (SecretResolveError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a SecretResolveError');
}

describe('resolveKeysFile', () => {
  it.each(['keypool.json', 'keypool.yaml'])('turns %s into key configs, pools and chains', async (name) => {
    const file = await loadKeysFile(fixturePath(name));
    const resolved = await resolveKeysFile(file, {
      sources: [envSource({ KEYPOOL_TEST_OPENAI_PROD: ` ${PROD_SECRET} ` }), vaultSource(vault)],
    });
    expect(resolved.keys.openai.map((key) => ({ ...key }))).toEqual([
      {
        id: 'prod-1',
        secret: PROD_SECRET,
        weight: 2,
        limits: { rpm: 500, tpm: 200000 },
        tags: ['prod'],
        quotaGroup: 'org-a',
      },
      { id: 'prod-2', secret: VAULT_SECRET, limits: { rpd: 10000 }, quotaGroup: 'org-a' },
    ]);
    expect(resolved.keys.anthropic.map((key) => key.id)).toEqual(['inline']);
    expect(resolved.keys.gemini).toEqual([]);
    expect(resolved.pools).toEqual({
      openai: { strategy: 'weighted', cooldown: { baseMs: 1000, maxMs: 60000 } },
    });
    expect(resolved.chains.default).toHaveLength(2);
    expect(resolved.warnings.map((warning) => warning.code)).toEqual(['inline_secret']);
    for (const text of [JSON.stringify(resolved), inspect(resolved, { depth: 10 })]) {
      expect(text).not.toContain(PROD_SECRET);
      expect(text).not.toContain(VAULT_SECRET);
      expect(text).not.toContain('inline-0123456789');
    }
  });

  it('accepts the parsed data as well as the loaded file', async () => {
    const { data } = parseKeysFile('{"providers": {"mistral": {"keys": [{"id": "m", "from": "env:M"}]}}}', {
      file: 'k.json',
    });
    const resolved = await resolveKeysFile(data, { sources: [envSource({ M: 'mistral-secret' })] });
    expect(resolved.keys.mistral.map((key) => key.secret)).toEqual(['mistral-secret']);
  });

  it('reads the vault by provider and id, or by id within the key provider', async () => {
    await vault.add({ provider: 'gemini', id: 'main', secret: 'AIza-gemini-main-0123456789' });
    const { data } = parseKeysFile(
      JSON.stringify({
        providers: {
          openai: { keys: [{ id: 'a', from: 'vault:main' }] },
          gemini: {
            keys: [
              { id: 'b', from: 'vault:main' },
              { id: 'c', from: 'vault:openai/main' },
            ],
          },
        },
      }),
      { file: 'k.json' },
    );
    const resolved = await resolveKeysFile(data, { sources: [vaultSource(vault)] });
    expect(resolved.keys.openai.map((key) => key.secret)).toEqual([VAULT_SECRET]);
    expect(resolved.keys.gemini.map((key) => key.secret)).toEqual([
      'AIza-gemini-main-0123456789',
      VAULT_SECRET,
    ]);
  });

  it('keeps a secret once per provider and warns about the duplicate', async () => {
    const { data } = parseKeysFile(
      JSON.stringify({
        providers: {
          openai: {
            keys: [
              { id: 'a', from: 'env:A' },
              { id: 'b', from: 'env:B' },
            ],
          },
        },
      }),
      { file: 'k.json' },
    );
    const resolved = await resolveKeysFile(data, {
      sources: [envSource({ A: 'same-secret', B: 'same-secret' })],
    });
    expect(resolved.keys.openai.map((key) => key.id)).toEqual(['a']);
    expect(resolved.warnings).toEqual([
      {
        code: 'duplicate_secret',
        provider: 'openai',
        keyId: 'b',
        message: 'openai key "b" has the same secret as key "a"; it is used once, as "a"',
      },
    ]);
  });

  it('lists every key it cannot resolve, by provider, key and reference, never a secret', async () => {
    await vault.disable('openai', 'main', 'rotated');
    const { data } = parseKeysFile(
      JSON.stringify({
        providers: {
          openai: {
            keys: [
              { id: 'unset', from: 'env:NOT_SET' },
              { id: 'blank', from: 'env:BLANK' },
              { id: 'off', from: 'vault:main' },
              { id: 'gone', from: 'vault:openai/nothing' },
              { id: 'aws', from: 'aws:prod/openai' },
              { id: 'good', from: 'env:GOOD' },
            ],
          },
        },
      }),
      { file: 'k.json' },
    );
    const error = await rejection(
      resolveKeysFile(data, {
        sources: [envSource({ BLANK: '  ', GOOD: 'sk-good-0123456789abcdef' }), vaultSource(vault)],
      }),
    );
    expect(error.code).toBe('secret_unresolved');
    expect(error.failures).toEqual([
      {
        ref: 'env:NOT_SET',
        provider: 'openai',
        keyId: 'unset',
        reason: 'environment variable NOT_SET is not set',
      },
      {
        ref: 'env:BLANK',
        provider: 'openai',
        keyId: 'blank',
        reason: 'environment variable BLANK is set but empty',
      },
      {
        ref: 'vault:main',
        provider: 'openai',
        keyId: 'off',
        reason: 'openai key "main" is disabled in the vault (rotated)',
      },
      {
        ref: 'vault:openai/nothing',
        provider: 'openai',
        keyId: 'gone',
        reason: expect.stringContaining('no openai key "nothing"'),
      },
      {
        ref: 'aws:prod/openai',
        provider: 'openai',
        keyId: 'aws',
        reason: 'no secret source for scheme "aws" (known: env, vault)',
      },
    ]);
    expect(error.message.split('\n')).toEqual([
      'cannot resolve 5 secrets:',
      'openai key "unset" (env:NOT_SET): environment variable NOT_SET is not set',
      'openai key "blank" (env:BLANK): environment variable BLANK is set but empty',
      'openai key "off" (vault:main): openai key "main" is disabled in the vault (rotated)',
      expect.stringContaining('openai key "gone" (vault:openai/nothing): no openai key "nothing"'),
      'openai key "aws" (aws:prod/openai): no secret source for scheme "aws" (known: env, vault)',
    ]);
    expect(JSON.stringify(error)).not.toContain('sk-good');
  });

  it('takes new stores through the SecretSource interface', async () => {
    const requests: unknown[] = [];
    const aws: SecretSource = {
      scheme: 'aws',
      async resolve(ref, context) {
        requests.push({ ref, context });
        if (ref === 'missing') throw new Error('ResourceNotFoundException');
        return `aws-secret-for-${ref}`;
      },
    };
    const { data } = parseKeysFile(
      JSON.stringify({ providers: { anthropic: { keys: [{ id: 'a', from: 'aws:prod/anthropic' }] } } }),
      { file: 'k.json' },
    );
    const resolved = await resolveKeysFile(data, { sources: [aws] });
    expect(resolved.keys.anthropic.map((key) => key.secret)).toEqual(['aws-secret-for-prod/anthropic']);
    expect(requests).toEqual([{ ref: 'prod/anthropic', context: { provider: 'anthropic', keyId: 'a' } }]);

    const failing = parseKeysFile(
      JSON.stringify({ providers: { anthropic: { keys: [{ id: 'b', from: 'aws:missing' }] } } }),
      { file: 'k.json' },
    ).data;
    const error = await rejection(resolveKeysFile(failing, { sources: [aws] }));
    expect(error.message).toBe(
      'cannot resolve secret anthropic key "b" (aws:missing): Error: ResourceNotFoundException',
    );
    expect((error.cause as Error).message).toBe('ResourceNotFoundException');
  });

  it('rejects a source that returns an empty secret', async () => {
    const { data } = parseKeysFile(
      JSON.stringify({ providers: { openai: { keys: [{ id: 'a', from: 'x:y' }] } } }),
      {
        file: 'k.json',
      },
    );
    const empty: SecretSource = { scheme: 'x', resolve: async () => ' ' };
    const error = await rejection(resolveKeysFile(data, { sources: [empty] }));
    expect(error.failures[0]?.reason).toBe('the source returned an empty secret');
  });

  it('uses the env and default-vault sources by default', async () => {
    process.env.KEYPOOL_TEST_DEFAULT_SOURCE = 'sk-from-process-env-0123456789';
    try {
      const { data } = parseKeysFile(
        JSON.stringify({
          providers: { openai: { keys: [{ id: 'a', from: 'env:KEYPOOL_TEST_DEFAULT_SOURCE' }] } },
        }),
        { file: 'k.json' },
      );
      const resolved = await resolveKeysFile(data);
      expect(resolved.keys.openai.map((key) => key.secret)).toEqual(['sk-from-process-env-0123456789']);
    } finally {
      delete process.env.KEYPOOL_TEST_DEFAULT_SOURCE;
    }
  });
});
