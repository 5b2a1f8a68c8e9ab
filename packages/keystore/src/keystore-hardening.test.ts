import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvKeysError } from './env-keys-error';
import { KeysFileError } from './keys-file-error';
import { keysFromEnv } from './keys-from-env';
import { parseKeysFile } from './parse-keys-file';
import { Vault } from './vault';
import { VaultAccessError } from './vault-access-error';
import { DEFAULT_SCRYPT_PARAMS, deriveVaultKeys, encryptVault, newSalt } from './vault-cipher';
import { VaultCorruptError } from './vault-corrupt-error';
import { VaultEntryError } from './vault-entry-error';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-hardening-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const vaultAt = (path: string) => new Vault({ path, passphrase: 'pass phrase', scrypt: FAST, env: {} });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('secrets that cannot travel in an HTTP header are refused where they enter', () => {
  it('keysFromEnv names the key id, never the value', () => {
    let error: unknown;
    try {
      keysFromEnv({
        OPENAI_API_KEY: 'sk-good-0000000000000000',
        OPENAI_API_KEY_2: 'sk-bad\r\nX-Injected: 12345678',
      });
    } catch (caught) {
      error = caught;
    }
    expect(EnvKeysError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('key "env:OPENAI_API_KEY_2"');
    expect((error as Error).message).toContain('line break');
    expect((error as Error).message).not.toContain('Injected');
  });

  it('a keys file and the vault refuse them too', async () => {
    expect(() =>
      parseKeysFile(
        JSON.stringify({ providers: { openai: { keys: [{ id: 'a', secret: 'sk-in side-12345678' }] } } }),
        {
          file: 'keypool.json',
        },
      ),
    ).toThrow(/providers\.openai\.keys\[0\]\.secret: the secret of key "a" holds whitespace inside it/);
    const error = await rejection(
      vaultAt(join(directory, 'v.json')).add({
        provider: 'openai',
        id: 'x',
        secret: 'sk-a\u0007bell-12345678',
      }),
    );
    expect(VaultEntryError.isInstance(error)).toBe(true);
    expect(error.message).toContain('control character');
  });
});

describe('keys file and vault errors are typed, with clear messages', () => {
  it('a YAML alias bomb is a keys_file_invalid error, not a raw ReferenceError', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 8; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    let error: unknown;
    try {
      parseKeysFile(lines.join('\n'), { file: 'keypool.yaml' });
    } catch (caught) {
      error = caught;
    }
    expect(KeysFileError.isInstance(error)).toBe(true);
    expect((error as KeysFileError).code).toBe('keys_file_invalid');
    expect((error as Error).message).toContain('aliases expand more than 100 times');
  });

  it('kdf.N = 2^30 says that N is too large, not that it is not a power of two', async () => {
    const path = join(directory, 'v.json');
    const keys = await deriveVaultKeys('pass phrase', newSalt(), FAST);
    const file = encryptVault(Buffer.from('{"entries":[]}'), keys, { mode: 'passphrase' });
    await writeFile(path, JSON.stringify({ ...file, kdf: { ...file.kdf, N: 2 ** 30 } }));
    const error = await rejection(vaultAt(path).list());
    expect(VaultCorruptError.isInstance(error)).toBe(true);
    expect(error.message).toContain('N is 2^30, above the limit of 2^24');
    expect(DEFAULT_SCRYPT_PARAMS.N).toBeLessThanOrEqual(2 ** 24);
  });

  it('a vault path that is a directory is vault_unreadable (EISDIR), for reads and writes', async () => {
    const path = join(directory, 'folder');
    await mkdir(path);
    const read = await rejection(vaultAt(path).list());
    expect(VaultAccessError.isInstance(read)).toBe(true);
    expect(read).toMatchObject({ code: 'vault_unreadable', errno: 'EISDIR' });
    expect(read.message).toContain('the path is a directory, not a file');
    const write = await rejection(
      vaultAt(path).add({ provider: 'openai', id: 'a', secret: 'sk-a-1234567890abcdef' }),
    );
    expect(VaultAccessError.isInstance(write)).toBe(true);
  });

  it('a symlink loop is vault_unreadable (ELOOP)', async () => {
    const path = join(directory, 'loop.json');
    await symlink(path, path);
    const error = await rejection(vaultAt(path).list());
    expect(error).toMatchObject({ code: 'vault_unreadable', errno: 'ELOOP' });
    expect(error.message).toContain('symbolic link loop');
  });

  it('a read-only folder is vault_unwritable (EACCES on the lock), not a raw error', async () => {
    // As root, permissions do not stop a write; sysfs refuses new files to everyone.
    let folder = '/sys/kernel';
    if (process.getuid?.() !== 0) {
      folder = join(directory, 'read-only');
      await mkdir(folder, { mode: 0o500 });
    }
    const error = await rejection(
      vaultAt(join(folder, 'vault.json')).add({
        provider: 'openai',
        id: 'a',
        secret: 'sk-a-1234567890abcdef',
      }),
    );
    expect(VaultAccessError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'vault_unwritable', errno: 'EACCES' });
    expect(error.message).toContain('needs a writable folder');
  });
});

describe('the vault never stores or returns a secret in a free text', () => {
  it('disable(reason) stores the reason scrubbed of every secret in the vault', async () => {
    const path = join(directory, 'v.json');
    const vault = vaultAt(path);
    const first = 'sk-proj-Q7x2V9bN4kLm8PzR3tYw';
    const second = 'plainsecretwithoutprefix0042';
    await vault.add({ provider: 'openai', id: 'a', secret: first });
    await vault.add({ provider: 'mistral', id: 'b', secret: second });
    const info = await vault.disable('openai', 'a', `leaked in a log: ${first}; also ${second}`);
    const shown = JSON.stringify([info, await vault.list(), await vault.get('openai', 'a')]);
    for (const secret of [first, second])
      for (let index = 0; index + 8 <= secret.length; index++)
        expect(shown).not.toContain(secret.slice(index, index + 8));
    expect(info.disabledReason).toBe('leaked in a log: sk-p...3tYw; also plai...0042');
    const reopened = vaultAt(path);
    expect((await reopened.get('openai', 'a')).disabledReason).toBe(info.disabledReason);
  });
});
