import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from './vault';
import { decryptVault, deriveVaultKeys, encryptVault, newSalt } from './vault-cipher';
import { VaultCorruptError } from './vault-corrupt-error';
import { VaultEntryError } from './vault-entry-error';
import { MACHINE_MODE_NOTICE } from './vault-file-format';
import { VaultLockError } from './vault-lock-error';
import { VaultModeError } from './vault-mode-error';
import type { VaultOptions } from './vault-options';
import { VaultPassphraseError } from './vault-passphrase-error';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const OPENAI_SECRET = 'sk-proj-0123456789abcdefghijN5g4';
const ANTHROPIC_SECRET = 'sk-ant-api03-abcdefghijklmnopqrstuv';

let directory: string;
let path: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-vault-'));
  path = join(directory, 'nested', 'vault.json');
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const vault = (options: VaultOptions = {}) =>
  new Vault({ path, passphrase: 'correct horse battery staple', scrypt: FAST, env: {}, ...options });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Rewrites one base64 field of the vault file with one bit of one byte flipped. */
async function flipByte(field: 'ciphertext' | 'tag' | 'iv' | 'check', index = 0): Promise<void> {
  const file = JSON.parse(await readFile(path, 'utf8'));
  const bytes = Buffer.from(file[field], 'base64');
  bytes[index] = bytes[index]! ^ 0x01;
  file[field] = bytes.toString('base64');
  await writeFile(path, JSON.stringify(file, null, 2));
}

/** Asserts that an operation fails with the given check and leaves the file's bytes exactly as they were. */
async function expectUntouched(
  operation: () => Promise<unknown>,
  check: (error: Error) => void,
): Promise<void> {
  const before = await readFile(path);
  check(await rejection(operation()));
  expect((await readFile(path)).equals(before)).toBe(true);
  expect((await readdir(join(directory, 'nested'))).sort()).toEqual(['vault.json']);
}

describe('Vault', () => {
  it('round-trips entries through a fresh instance, listing them masked', async () => {
    await vault().add({ provider: 'openai', id: 'main', secret: OPENAI_SECRET, tags: ['prod'], weight: 2 });
    await vault().add({ provider: 'anthropic', secret: `  ${ANTHROPIC_SECRET}\n`, limits: { rpm: 50 } });

    const reopened = vault();
    const list = await reopened.list();
    expect(list.map((entry) => [entry.provider, entry.id, entry.masked])).toEqual([
      ['openai', 'main', 'sk-p...N5g4'],
      ['anthropic', expect.stringMatching(/^anthropic-[0-9a-f]{8}$/), 'sk-a...stuv'],
    ]);
    expect(list[0]).toMatchObject({
      tags: ['prod'],
      weight: 2,
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(list[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.stringify(list)).not.toContain('0123456789abcdefghij');
    expect(await reopened.getSecret('openai', 'main')).toBe(OPENAI_SECRET);
    expect(await reopened.getSecret(undefined, list[1]!.id)).toBe(ANTHROPIC_SECRET);
    expect(await reopened.list('anthropic')).toHaveLength(1);
  });

  it('treats a missing file as an empty vault without asking for a passphrase', async () => {
    const empty = new Vault({ path, env: {}, scrypt: FAST });
    expect(await empty.list()).toEqual([]);
    expect(await empty.status()).toEqual({ path, exists: false });
    expect(Object.values(await empty.keys()).flat()).toEqual([]);
  });

  it('writes the versioned format with mode 0600 in a 0700 directory, and no secret in it', async () => {
    await vault().add({ provider: 'openai', id: 'main', secret: OPENAI_SECRET });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(directory, 'nested'))).mode & 0o777).toBe(0o700);
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(OPENAI_SECRET);
    expect(text).not.toContain('main');
    const file = JSON.parse(text);
    expect(file).toEqual({
      version: 1,
      mode: 'passphrase',
      kdf: { name: 'scrypt', N: 1024, r: 8, p: 1, salt: expect.any(String) },
      cipher: 'aes-256-gcm',
      iv: expect.any(String),
      tag: expect.any(String),
      check: expect.any(String),
      ciphertext: expect.any(String),
    });
    expect(Buffer.from(file.kdf.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(file.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(file.tag, 'base64')).toHaveLength(16);
    expect(await vault().status()).toEqual({
      path,
      exists: true,
      mode: 'passphrase',
      version: 1,
      kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 },
    });
  });

  it('uses a fresh salt and IV on every write', async () => {
    const store = vault();
    await store.add({ provider: 'openai', id: 'a', secret: 'sk-aaaaaaaaaaaaaaaaaaaa' });
    const first = JSON.parse(await readFile(path, 'utf8'));
    await store.add({ provider: 'openai', id: 'b', secret: 'sk-bbbbbbbbbbbbbbbbbbbb' });
    const second = JSON.parse(await readFile(path, 'utf8'));
    expect(second.kdf.salt).not.toBe(first.kdf.salt);
    expect(second.iv).not.toBe(first.iv);
  });

  it('derives with strong scrypt parameters by default (N=2^17, r=8, p=1)', async () => {
    const added = await new Vault({ path, passphrase: 'pw', env: {} }).add({
      provider: 'mistral',
      secret: 'mistral-secret-1234',
    });
    const file = JSON.parse(await readFile(path, 'utf8'));
    expect(file.kdf).toMatchObject({ N: 131072, r: 8, p: 1 });
    expect(await new Vault({ path, passphrase: 'pw', env: {} }).getSecret('mistral', added.id)).toBe(
      'mistral-secret-1234',
    );
  }, 30_000);

  it('rejects scrypt parameters that are not usable', () => {
    expect(() => new Vault({ path, scrypt: { N: 1000 } })).toThrowError(RangeError);
    expect(() => new Vault({ path, scrypt: { N: 2 ** 24, r: 64 } })).toThrowError(/1 GiB/);
  });

  it('reads KEYPOOL_PASSPHRASE when no passphrase is given, and says when there is none', async () => {
    await new Vault({ path, scrypt: FAST, env: { KEYPOOL_PASSPHRASE: 'from-env' } }).add({
      provider: 'openai',
      id: 'a',
      secret: OPENAI_SECRET,
    });
    expect(await new Vault({ path, env: { KEYPOOL_PASSPHRASE: 'from-env' } }).getSecret('openai', 'a')).toBe(
      OPENAI_SECRET,
    );
    await expectUntouched(
      () => new Vault({ path, env: {} }).list(),
      (error) => {
        expect(VaultPassphraseError.isInstance(error)).toBe(true);
        expect((error as VaultPassphraseError).code).toBe('vault_passphrase_missing');
        expect(error.message).toContain('KEYPOOL_PASSPHRASE');
      },
    );
  });

  it('asks a passphrase function once, and again after a wrong answer', async () => {
    await vault().add({ provider: 'openai', id: 'a', secret: OPENAI_SECRET });
    const answers = ['wrong', 'correct horse battery staple'];
    let asked = 0;
    const prompting = vault({ passphrase: () => answers[asked++]! });
    expect((await rejection(prompting.list())) as VaultPassphraseError).toMatchObject({
      code: 'vault_passphrase_wrong',
    });
    expect(await prompting.list()).toHaveLength(1);
    await prompting.list();
    expect(asked).toBe(2);
  });

  describe('never touches the file when it cannot be read', () => {
    beforeEach(async () => {
      await vault().add({ provider: 'openai', id: 'main', secret: OPENAI_SECRET });
    });

    it('a wrong passphrase is VaultPassphraseError, for reads and writes', async () => {
      const wrong = vault({ passphrase: 'incorrect' });
      const check = (error: Error) => {
        expect(VaultPassphraseError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ code: 'vault_passphrase_wrong', path, name: 'VaultPassphraseError' });
        expect(error.message).toBe(`wrong passphrase for the vault ${path}`);
      };
      await expectUntouched(() => wrong.list(), check);
      await expectUntouched(
        () => wrong.add({ provider: 'openai', id: 'x', secret: 'sk-xxxxxxxxxxxxxxxxxxxx' }),
        check,
      );
      await expectUntouched(() => wrong.remove('openai', 'main'), check);
      expect(await vault().getSecret('openai', 'main')).toBe(OPENAI_SECRET);
    });

    it.each([
      [
        'a truncated file',
        async () => writeFile(path, (await readFile(path, 'utf8')).slice(0, 120)),
        'not valid JSON',
      ],
      ['an empty file', async () => writeFile(path, ''), 'the file is empty'],
      ['a flipped ciphertext byte', () => flipByte('ciphertext', 3), 'authentication failed'],
      ['a flipped tag byte', () => flipByte('tag', 15), 'authentication failed'],
      ['a flipped IV byte', () => flipByte('iv', 0), 'authentication failed'],
      [
        'a shortened tag',
        async () => rewrite((file) => ({ ...file, tag: Buffer.alloc(4).toString('base64') })),
        'tag is not 16 bytes',
      ],
      [
        'a changed mode label',
        async () => rewrite((file) => ({ ...file, machine: { identity: 'hostname' } })),
        'authentication failed',
      ],
      [
        'a missing field',
        async () => rewrite(({ ciphertext: _, ...file }) => file),
        'ciphertext is missing or invalid',
      ],
      [
        'an unknown version',
        async () => rewrite((file) => ({ ...file, version: 2 })),
        'format version 2 is not supported',
      ],
      [
        'a memory-bomb scrypt cost',
        async () => rewrite((file) => ({ ...file, kdf: { ...file.kdf, N: 2 ** 30 } })),
        'unacceptable scrypt parameters',
      ],
      ['not an object', async () => writeFile(path, '[1, 2]'), 'not a vault file'],
    ])('%s is VaultCorruptError', async (_name, damage, reason) => {
      await damage();
      const check = (error: Error) => {
        expect(VaultCorruptError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ code: 'vault_corrupt', path });
        expect(error.message).toContain(reason);
        expect(error.message).toContain('the file was left untouched');
      };
      await expectUntouched(() => vault().list(), check);
      await expectUntouched(
        () => vault().add({ provider: 'openai', id: 'x', secret: 'sk-xxxxxxxxxxxxxxxxxxxx' }),
        check,
      );
    });
  });

  it('adds, disables, enables, sets the primary and removes entries', async () => {
    const store = vault();
    await store.add({ provider: 'openai', id: 'a', secret: 'sk-aaaaaaaaaaaaaaaaaaaa' });
    await store.add({ provider: 'openai', id: 'b', secret: 'sk-bbbbbbbbbbbbbbbbbbbb', primary: true });
    await store.add({ provider: 'openai', id: 'c', secret: 'sk-cccccccccccccccccccc' });
    await store.add({ provider: 'gemini', id: 'a', secret: 'AIza-aaaaaaaaaaaaaaaaaa' });
    const ids = async () => (await vault().keys()).openai.map((key) => key.id);

    expect(await ids()).toEqual(['b', 'a', 'c']);
    expect(await store.setPrimary('openai', 'c')).toMatchObject({ id: 'c', primary: true });
    expect(await ids()).toEqual(['c', 'a', 'b']);
    expect((await store.get('openai', 'b')).primary).toBeUndefined();

    expect(await store.disable('openai', 'a', 'revoked by the provider')).toMatchObject({
      disabled: true,
      disabledReason: 'revoked by the provider',
    });
    expect(await ids()).toEqual(['c', 'b']);
    expect((await vault().list('openai')).find((entry) => entry.id === 'a')?.disabled).toBe(true);
    const enabled = await store.enable('openai', 'a');
    expect(enabled.disabled).toBeUndefined();
    expect(enabled.disabledReason).toBeUndefined();
    expect(await ids()).toEqual(['c', 'a', 'b']);

    expect((await store.remove('openai', 'c')).masked).toBe('sk-c...cccc');
    expect(await ids()).toEqual(['a', 'b']);
    expect((await vault().keys()).gemini.map((key) => key.id)).toEqual(['a']);
  });

  it('returns key configs for the pool, with weight, limits, tags and quota group', async () => {
    await vault().add({
      provider: 'anthropic',
      id: 'k',
      secret: ANTHROPIC_SECRET,
      weight: 3,
      limits: { rpm: 50, tpm: 40_000 },
      tags: ['batch'],
      quotaGroup: 'org-1',
      label: 'the batch key',
    });
    const [key] = (await vault().keys()).anthropic;
    expect({ ...key }).toEqual({
      id: 'k',
      secret: ANTHROPIC_SECRET,
      weight: 3,
      limits: { rpm: 50, tpm: 40_000 },
      tags: ['batch'],
      quotaGroup: 'org-1',
    });
    expect(JSON.stringify(key)).not.toContain('abcdefghijklmnop');
    expect(inspect(key)).not.toContain('abcdefghijklmnop');
  });

  it.each([
    [
      'an existing id',
      { provider: 'openai', id: 'a', secret: 'sk-zzzzzzzzzzzzzzzzzzzz' },
      'vault_entry_exists',
    ],
    [
      'a stored secret',
      { provider: 'openai', id: 'z', secret: 'sk-aaaaaaaaaaaaaaaaaaaa' },
      'vault_duplicate_secret',
    ],
    ['an empty secret', { provider: 'openai', id: 'z', secret: '   ' }, 'vault_entry_invalid'],
    [
      'an unknown provider',
      { provider: 'cohere', id: 'z', secret: 'sk-zzzzzzzzzzzzzzzzzzzz' },
      'vault_entry_invalid',
    ],
    [
      'an id with spaces',
      { provider: 'openai', id: 'a b', secret: 'sk-zzzzzzzzzzzzzzzzzzzz' },
      'vault_entry_invalid',
    ],
    [
      'a zero weight',
      { provider: 'openai', id: 'z', secret: 'sk-zzzzzzzzzzzzzzzzzzzz', weight: 0 },
      'vault_entry_invalid',
    ],
    [
      'a negative rpm',
      { provider: 'openai', id: 'z', secret: 'sk-zzzzzzzzzzzzzzzzzzzz', limits: { rpm: -1 } },
      'vault_entry_invalid',
    ],
  ])('refuses to add %s (and writes nothing)', async (_name, input, code) => {
    await vault().add({ provider: 'openai', id: 'a', secret: 'sk-aaaaaaaaaaaaaaaaaaaa' });
    await expectUntouched(
      () => vault().add(input as Parameters<Vault['add']>[0]),
      (error) => {
        expect(VaultEntryError.isInstance(error)).toBe(true);
        expect((error as VaultEntryError).code).toBe(code);
        expect(error.message).not.toContain('aaaaaaaaaaaaaaaa');
        expect(error.message).not.toContain('zzzzzzzzzzzzzzzz');
      },
    );
  });

  it('names missing and ambiguous entries', async () => {
    await vault().add({ provider: 'openai', id: 'same', secret: 'sk-aaaaaaaaaaaaaaaaaaaa' });
    await vault().add({ provider: 'mistral', id: 'same', secret: 'mistral-aaaaaaaaaaaaaaaa' });
    await expectUntouched(
      () => vault().remove('openai', 'nope'),
      (error) =>
        expect(error).toMatchObject({ code: 'vault_entry_not_found', provider: 'openai', id: 'nope' }),
    );
    const ambiguous = await rejection(vault().getSecret(undefined, 'same'));
    expect(ambiguous).toMatchObject({ code: 'vault_entry_ambiguous' });
    expect(ambiguous.message).toContain('openai and mistral');
    expect(await vault().getSecret('mistral', 'same')).toBe('mistral-aaaaaaaaaaaaaaaa');
  });

  it('keeps fields it does not know (written by a newer version) when it rewrites the file', async () => {
    // What a newer version might write: an extra field on an entry and at the top of the payload.
    const payload = {
      entries: [
        { provider: 'openai', id: 'a', secret: 'sk-aaaaaaaaaaaaaaaaaaaa', createdAt: 'x', rotateAfter: 90 },
      ],
      settings: { future: true },
    };
    const keys = await deriveVaultKeys('correct horse battery staple', newSalt(), FAST);
    await mkdir(join(directory, 'nested'), { recursive: true });
    await writeFile(
      path,
      JSON.stringify(encryptVault(Buffer.from(JSON.stringify(payload)), keys, { mode: 'passphrase' })),
    );
    await vault().disable('openai', 'a');
    expect(await vault().get('openai', 'a')).toMatchObject({ disabled: true, rotateAfter: 90 });
    const file = JSON.parse(await readFile(path, 'utf8'));
    const decrypted = decryptVault(
      file,
      await deriveVaultKeys('correct horse battery staple', Buffer.from(file.kdf.salt, 'base64'), FAST),
    );
    expect(decrypted.ok && JSON.parse(decrypted.plaintext.toString()).settings).toEqual({ future: true });
  });

  it('never shows the secret or passphrase in its own JSON, String or inspect output', async () => {
    const store = vault({ passphrase: 'my-canary-passphrase' });
    await store.add({ provider: 'openai', id: 'a', secret: OPENAI_SECRET });
    for (const text of [
      JSON.stringify(store),
      String(store),
      inspect(store, { showHidden: true, depth: 5 }),
    ]) {
      expect(text).not.toContain('my-canary-passphrase');
      expect(text).not.toContain(OPENAI_SECRET);
      expect(text).toContain(path);
    }
  });

  describe('machine-bound mode', () => {
    it('round-trips with a custom identity, labels the file as weaker, and refuses another identity', async () => {
      const bound = vault({ mode: 'machine', passphrase: undefined, machineIdentity: () => 'machine-A' });
      await bound.add({ provider: 'openai', id: 'a', secret: OPENAI_SECRET });
      const file = JSON.parse(await readFile(path, 'utf8'));
      expect(file).toMatchObject({
        mode: 'machine',
        machine: { identity: 'custom' },
        notice: MACHINE_MODE_NOTICE,
      });
      expect(file.notice).toContain('WEAKER');
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect((await bound.status()).notice).toBe(MACHINE_MODE_NOTICE);
      expect(
        await new Vault({ path, env: {}, machineIdentity: () => 'machine-A' }).getSecret('openai', 'a'),
      ).toBe(OPENAI_SECRET);

      await expectUntouched(
        () => new Vault({ path, env: {}, machineIdentity: () => 'machine-B' }).list(),
        (error) => {
          expect(VaultPassphraseError.isInstance(error)).toBe(true);
          expect(error.message).toContain('bound to another machine or user');
        },
      );
      await expectUntouched(
        () => new Vault({ path, env: {} }).list(),
        (error) => expect(error.message).toContain('custom machine identity'),
      );
    });

    it('round-trips with this machine identity (machine id or host name, and user)', async () => {
      const bound = new Vault({ path, env: {}, mode: 'machine', scrypt: FAST });
      await bound.add({ provider: 'gemini', id: 'g', secret: 'AIza-0123456789abcdefghij' });
      expect(await new Vault({ path, env: {} }).getSecret('gemini', 'g')).toBe('AIza-0123456789abcdefghij');
      const file = JSON.parse(await readFile(path, 'utf8'));
      expect(['machine-id', 'hostname']).toContain(file.machine.identity);
    });

    it('refuses to open a file in the other mode than the one required', async () => {
      await vault().add({ provider: 'openai', id: 'a', secret: OPENAI_SECRET });
      await expectUntouched(
        () => vault({ mode: 'machine' }).list(),
        (error) => {
          expect(VaultModeError.isInstance(error)).toBe(true);
          expect(error).toMatchObject({
            code: 'vault_mode_mismatch',
            expected: 'machine',
            actual: 'passphrase',
          });
        },
      );
      await expectUntouched(
        () =>
          vault({ mode: 'machine' }).add({ provider: 'openai', id: 'b', secret: 'sk-bbbbbbbbbbbbbbbbbbbb' }),
        (error) => expect(VaultModeError.isInstance(error)).toBe(true),
      );
    });
  });

  it('rekeys to a new passphrase, and between modes', async () => {
    const store = vault();
    await store.add({ provider: 'openai', id: 'a', secret: OPENAI_SECRET });
    await store.rekey({ passphrase: 'new passphrase' });
    expect(await store.getSecret('openai', 'a')).toBe(OPENAI_SECRET);
    expect((await rejection(vault().list())) as VaultPassphraseError).toMatchObject({
      code: 'vault_passphrase_wrong',
    });
    expect(await vault({ passphrase: 'new passphrase' }).getSecret('openai', 'a')).toBe(OPENAI_SECRET);

    const machine = vault({ passphrase: 'new passphrase', machineIdentity: () => 'box' });
    await machine.rekey({ mode: 'machine' });
    expect((await machine.status()).mode).toBe('machine');
    expect(await new Vault({ path, env: {}, machineIdentity: () => 'box' }).getSecret('openai', 'a')).toBe(
      OPENAI_SECRET,
    );
    await machine.rekey({ mode: 'passphrase', passphrase: 'back again' });
    expect(await vault({ passphrase: 'back again' }).getSecret('openai', 'a')).toBe(OPENAI_SECRET);
    await expect(machine.rekey({ mode: 'passphrase' })).rejects.toMatchObject({
      code: 'vault_passphrase_missing',
    });
  });

  describe('locking', () => {
    it('takes over a lock left by a dead process and ignores a stray temp file', async () => {
      await vault().add({ provider: 'openai', id: 'a', secret: 'sk-aaaaaaaaaaaaaaaaaaaa' });
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      await writeFile(
        `${path}.lock`,
        JSON.stringify({ pid: dead, hostname: hostname(), token: 'x', createdAt: new Date().toISOString() }),
      );
      const stray = join(directory, 'nested', `.vault.json.${dead}.abcdef.tmp`);
      await writeFile(stray, '{"version": 1, "half-writ');

      expect((await vault().list()).map((entry) => entry.id)).toEqual(['a']);
      await vault().add({ provider: 'openai', id: 'b', secret: 'sk-bbbbbbbbbbbbbbbbbbbb' });
      expect((await vault().list()).map((entry) => entry.id)).toEqual(['a', 'b']);
      expect((await readdir(join(directory, 'nested'))).sort()).toEqual(['vault.json']);
    });

    it('gives up with VaultLockError when a live holder keeps the lock, writing nothing', async () => {
      await vault().add({ provider: 'openai', id: 'a', secret: 'sk-aaaaaaaaaaaaaaaaaaaa' });
      await writeFile(
        `${path}.lock`,
        JSON.stringify({
          pid: process.pid,
          hostname: hostname(),
          token: 'y',
          createdAt: new Date().toISOString(),
        }),
      );
      const before = await readFile(path);
      const error = await rejection(
        vault({ lock: { timeoutMs: 150, staleMs: 60_000 } }).add({
          provider: 'openai',
          id: 'b',
          secret: 'sk-bbbbbbbbbbbbbbbbbbbb',
        }),
      );
      expect(VaultLockError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'vault_locked', lockPath: `${path}.lock` });
      expect(error.message).toContain(`pid ${process.pid}`);
      expect((await readFile(path)).equals(before)).toBe(true);
    });

    it('takes over a lock nobody has touched for longer than staleMs', async () => {
      await vault().add({ provider: 'openai', id: 'a', secret: 'sk-aaaaaaaaaaaaaaaaaaaa' });
      await writeFile(`${path}.lock`, ''); // a holder that died before writing its name, long ago
      const old = new Date(Date.now() - 60_000);
      await utimes(`${path}.lock`, old, old);
      await vault({ lock: { staleMs: 1_000 } }).add({
        provider: 'openai',
        id: 'b',
        secret: 'sk-bbbbbbbbbbbbbbbbbbbb',
      });
      expect((await vault().list()).map((entry) => entry.id)).toEqual(['a', 'b']);
    });
  });
});

async function rewrite(
  change: (file: Record<string, unknown> & { kdf: Record<string, unknown> }) => unknown,
) {
  const file = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(path, JSON.stringify(change(file), null, 2));
}
