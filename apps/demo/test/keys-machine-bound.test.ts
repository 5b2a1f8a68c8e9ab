import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CANARY, jsonOf, neverPrint, runKeypool, tempDir } from './run-keypool';

const SECOND = 'sk-machine-second-0000111122223333444455';
neverPrint(SECOND);

describe('keypool keys add --machine-bound (run as a subprocess)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let vault: string;
  const noPassphrase = { KEYPOOL_PASSPHRASE: undefined };

  beforeEach(async () => {
    dir = await tempDir();
    vault = join(dir.path, 'vault.json');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('creates a vault bound to this machine and user: no passphrase, a notice that it is weaker', async () => {
    const added = await runKeypool(
      ['keys', 'add', 'openai', 'ci', '--machine-bound', '--vault', vault, '--json'],
      { env: noPassphrase, input: CANARY },
    );
    expect(added.code, added.stderr).toBe(0);
    expect(jsonOf(added)).toMatchObject({
      ok: true,
      mode: 'machine',
      notice: expect.stringContaining('WEAKER than a passphrase'),
      key: { provider: 'openai', id: 'ci', masked: 'sk-c...mnop' },
    });
    const file = JSON.parse(await readFile(vault, 'utf8')) as { mode: string; notice: string };
    expect(file.mode).toBe('machine');
    expect(await readFile(vault, 'utf8')).not.toContain(CANARY);

    const text = await runKeypool(['keys', 'add', 'openai', 'second', '--machine-bound', '--vault', vault], {
      env: noPassphrase,
      input: SECOND,
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('added openai key "second"');
    expect(text.stdout).toContain('machine-bound: WEAKER than a passphrase');

    // Every other command opens it without a passphrase, on this machine as this user.
    const listed = await runKeypool(['keys', 'list', '--vault', vault, '--json'], { env: noPassphrase });
    expect(listed.code, listed.stderr).toBe(0);
    expect(jsonOf<{ keys: { id: string }[] }>(listed).keys.map((key) => key.id)).toEqual(['ci', 'second']);
    expect(
      (await runKeypool(['keys', 'switch', 'openai', 'second', '--vault', vault], { env: noPassphrase }))
        .code,
    ).toBe(0);
  });

  it('another user (another home) cannot open it: exit 3, the file untouched', async () => {
    await runKeypool(['keys', 'add', 'openai', 'ci', '--machine-bound', '--vault', vault], {
      env: noPassphrase,
      input: CANARY,
    });
    const before = await readFile(vault);
    const otherHome = join(dir.path, 'other-home');
    await mkdir(otherHome);
    const result = await runKeypool(['keys', 'list', '--vault', vault, '--json'], {
      env: { ...noPassphrase, HOME: otherHome },
    });
    expect(result.code).toBe(3);
    expect(jsonOf(result)).toMatchObject({ ok: false, error: { exitCode: 3 } });
    expect(await readFile(vault)).toEqual(before);
  });

  it('refuses --machine-bound on a passphrase vault (exit 3, vault_mode_mismatch) and changes nothing', async () => {
    const env = { KEYPOOL_PASSPHRASE: 'a passphrase' };
    expect(
      (await runKeypool(['keys', 'add', 'openai', 'main', '--vault', vault], { env, input: CANARY })).code,
    ).toBe(0);
    const before = await readFile(vault);
    const result = await runKeypool(
      ['keys', 'add', 'openai', 'ci', '--machine-bound', '--vault', vault, '--json'],
      { env, input: SECOND },
    );
    expect(result.code).toBe(3);
    expect(jsonOf(result)).toMatchObject({ ok: false, error: { code: 'vault_mode_mismatch', exitCode: 3 } });
    expect(await readFile(vault)).toEqual(before);
  });
});
