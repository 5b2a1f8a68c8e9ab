import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CANARY, jsonOf, neverPrint, type RunOptions, runKeypool, tempDir } from './run-keypool';

const PASSPHRASE = 'correct horse battery staple';
const OTHER_SECRET = 'sk-second-key-0000111122223333444455556666';
neverPrint(OTHER_SECRET, PASSPHRASE);

interface ListedKey {
  provider: string;
  id: string;
  masked: string;
  status: 'enabled' | 'disabled';
  primary: boolean;
  disabledReason?: string;
}

describe('keypool keys (vault round trips, run as a subprocess)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let vault: string;
  const env = () => ({ KEYPOOL_PASSPHRASE: PASSPHRASE });
  const keypool = (args: string[], options: RunOptions = {}) =>
    runKeypool([...args, '--vault', vault], { ...options, env: { ...env(), ...options.env } });
  const list = async (provider?: string) => {
    const result = await keypool(['keys', 'list', ...(provider ? [provider] : []), '--json']);
    expect(result.code).toBe(0);
    return jsonOf<{ keys: ListedKey[] }>(result).keys;
  };

  beforeEach(async () => {
    dir = await tempDir();
    vault = join(dir.path, 'vault.json');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('adds (secret on stdin), lists masked, switches, disables, enables and removes', async () => {
    const added = await keypool(['keys', 'add', 'openai', 'main', '--primary', '--json'], {
      input: `${CANARY}\n`,
    });
    expect(added.code).toBe(0);
    expect(jsonOf<{ key: ListedKey }>(added).key).toMatchObject({
      provider: 'openai',
      id: 'main',
      masked: 'sk-c...mnop',
      status: 'enabled',
      primary: true,
    });
    expect(
      (await keypool(['keys', 'add', 'openai', 'backup', '--rpm', '60'], { input: OTHER_SECRET })).code,
    ).toBe(0);
    expect(
      (
        await keypool(['keys', 'add', 'anthropic', 'team'], {
          input: 'sk-ant-third-key-99998888777766665555',
        })
      ).code,
    ).toBe(0);

    expect(await list()).toEqual([
      expect.objectContaining({ provider: 'openai', id: 'main', status: 'enabled', primary: true }),
      expect.objectContaining({ provider: 'openai', id: 'backup', status: 'enabled', primary: false }),
      expect.objectContaining({ provider: 'anthropic', id: 'team', status: 'enabled' }),
    ]);
    expect((await list('anthropic')).map((key) => key.id)).toEqual(['team']);

    const table = await keypool(['keys', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/openai\s+main\s+sk-c\.\.\.mnop\s+enabled\s+primary/);

    const switched = await keypool(['keys', 'switch', 'openai', 'backup', '--json']);
    expect(switched.code).toBe(0);
    expect(jsonOf(switched)).toMatchObject({
      ok: true,
      action: 'switch',
      key: { id: 'backup', primary: true },
    });
    expect((await list('openai')).map((key) => [key.id, key.primary])).toEqual([
      ['main', false],
      ['backup', true],
    ]);

    expect((await keypool(['keys', 'disable', 'openai', 'main', '--reason', 'leaked'])).code).toBe(0);
    expect((await list('openai'))[0]).toMatchObject({
      id: 'main',
      status: 'disabled',
      disabledReason: 'leaked',
    });
    expect((await keypool(['keys', 'enable', 'openai', 'main'])).code).toBe(0);
    expect((await list('openai'))[0]).toMatchObject({ id: 'main', status: 'enabled' });

    const status = await keypool(['status', '--json']);
    expect(status.code).toBe(0);
    expect(jsonOf<{ source: string; keys: unknown[] }>(status)).toMatchObject({ source: 'vault' });

    const removed = await keypool(['keys', 'remove', 'openai', 'main', '--json']);
    expect(removed.code).toBe(0);
    expect((await list()).map((key) => key.id)).toEqual(['backup', 'team']);
  });

  it('exits 4 for a key that is not there and 5 for a taken id or a duplicate secret', async () => {
    await keypool(['keys', 'add', 'openai', 'main'], { input: CANARY });
    const missing = await keypool(['keys', 'remove', 'openai', 'nope', '--json']);
    expect(missing.code).toBe(4);
    expect(jsonOf(missing)).toMatchObject({
      ok: false,
      error: { code: 'vault_entry_not_found', exitCode: 4 },
    });
    expect((await keypool(['keys', 'switch', 'gemini', 'main'])).code).toBe(4);
    expect((await keypool(['keys', 'add', 'openai', 'main'], { input: OTHER_SECRET })).code).toBe(5);
    const duplicate = await keypool(['keys', 'add', 'openai', 'copy'], { input: CANARY });
    expect(duplicate.code).toBe(5);
    expect(duplicate.stderr).toContain('already stored as openai key "main"');
  });

  it('refuses a secret on the command line unless --force-argv, and explains why', async () => {
    const refused = await keypool(['keys', 'add', 'openai', 'main', '--secret', CANARY]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('ps');
    expect(refused.stderr).toContain('--force-argv');
    expect(await list()).toEqual([]);
    const forced = await keypool(['keys', 'add', 'openai', 'main', '--secret', CANARY, '--force-argv']);
    expect(forced.code).toBe(0);
    expect((await list()).map((key) => key.id)).toEqual(['main']);
  });

  it('usage errors exit 2: unknown provider, empty stdin, unknown option', async () => {
    expect((await keypool(['keys', 'add', 'openia', 'main'], { input: CANARY })).code).toBe(2);
    expect((await keypool(['keys', 'add', 'openai', 'main'], { input: '' })).code).toBe(2);
    expect((await keypool(['keys', 'list', '--bogus'])).code).toBe(2);
    expect((await runKeypool(['keys'])).code).toBe(2);
    const help = await runKeypool(['keys', 'add', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--force-argv');
  });

  it('writes the vault with mode 0600', async () => {
    await keypool(['keys', 'add', 'openai', 'main'], { input: CANARY });
    expect((await stat(vault)).mode & 0o777).toBe(0o600);
  });

  it('a wrong passphrase exits 3 with a clear message and leaves the file as it was', async () => {
    await keypool(['keys', 'add', 'openai', 'main'], { input: CANARY });
    const before = await readFile(vault);
    for (const args of [
      ['keys', 'list'],
      ['keys', 'add', 'openai', 'second'],
      ['keys', 'remove', 'openai', 'main'],
    ]) {
      const result = await runKeypool([...args, '--vault', vault, '--json'], {
        env: { KEYPOOL_PASSPHRASE: 'not the passphrase' },
        input: OTHER_SECRET,
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('wrong passphrase');
      expect(jsonOf(result)).toMatchObject({
        ok: false,
        error: { code: 'vault_passphrase_wrong', exitCode: 3 },
      });
    }
    expect(await readFile(vault)).toEqual(before);
  });

  it('no passphrase and no terminal exits 3 and says how to give one', async () => {
    await keypool(['keys', 'add', 'openai', 'main'], { input: CANARY });
    const result = await runKeypool(['keys', 'list', '--vault', vault], {
      env: { KEYPOOL_PASSPHRASE: undefined },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('KEYPOOL_PASSPHRASE');
  });

  it('a corrupted (tampered) vault and a truncated one exit 3 and are left untouched', async () => {
    await keypool(['keys', 'add', 'openai', 'main'], { input: CANARY });
    const original = await readFile(vault, 'utf8');
    const file = JSON.parse(original) as { ciphertext: string };
    const bytes = Buffer.from(file.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    const tampered = JSON.stringify({ ...file, ciphertext: bytes.toString('base64') });
    const truncated = original.slice(0, Math.floor(original.length / 2));
    for (const damaged of [tampered, truncated]) {
      await writeFile(vault, damaged, { mode: 0o600 });
      for (const args of [
        ['keys', 'list'],
        ['keys', 'add', 'openai', 'other'],
      ]) {
        const result = await keypool([...args, '--json'], { input: OTHER_SECRET });
        expect(result.code).toBe(3);
        expect(result.stderr).toMatch(/corrupt/);
        expect(jsonOf(result)).toMatchObject({ ok: false, error: { code: 'vault_corrupt' } });
      }
      expect(await readFile(vault, 'utf8')).toBe(damaged);
    }
  });

  it('imports keys from environment variables and skips the ones already stored', async () => {
    await keypool(['keys', 'add', 'openai', 'main'], { input: CANARY });
    const importEnv = {
      OPENAI_API_KEY: CANARY,
      OPENAI_API_KEY_2: OTHER_SECRET,
      MISTRAL_API_KEYS: 'mistral-key-aaaaaaaaaaaaaaaa,mistral-key-bbbbbbbbbbbbbbbb',
    };
    neverPrint('mistral-key-aaaaaaaaaaaaaaaa', 'mistral-key-bbbbbbbbbbbbbbbb');
    const first = await keypool(['keys', 'import-env', '--json'], { env: importEnv });
    expect(first.code).toBe(0);
    expect(jsonOf(first)).toMatchObject({ added: 3, skipped: 1 });
    const again = await keypool(['keys', 'import-env', '--json'], { env: importEnv });
    expect(jsonOf(again)).toMatchObject({ added: 0, skipped: 4 });
    expect((await list()).map((key) => `${key.provider}/${key.id}`)).toEqual([
      'openai/main',
      'openai/OPENAI_API_KEY_2',
      'mistral/MISTRAL_API_KEYS#1',
      'mistral/MISTRAL_API_KEYS#2',
    ]);
  });

  it('20 concurrent `keys add` processes: all 20 keys are there afterwards', async () => {
    const secrets = Array.from(
      { length: 20 },
      (_, index) => `sk-concurrent-${String(index).padStart(2, '0')}-abcdefghijklmnop`,
    );
    neverPrint(...secrets);
    const results = await Promise.all(
      secrets.map((secret, index) =>
        keypool(['keys', 'add', 'openai', `key-${index}`], { input: secret, timeoutMs: 120_000 }),
      ),
    );
    expect(results.map((result) => result.code)).toEqual(secrets.map(() => 0));
    const ids = (await list('openai')).map((key) => key.id).sort();
    expect(ids).toEqual(secrets.map((_, index) => `key-${index}`).sort());
    expect((await stat(vault)).mode & 0o777).toBe(0o600);
  });
});
