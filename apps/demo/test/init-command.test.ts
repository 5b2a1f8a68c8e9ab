import { spawnSync } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator } from '@keypool/emulator';
import { loadKeysFile, openVault, resolveKeysFile, vaultSource } from '@keypool/keystore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, jsonOf, neverPrint, type RunOptions, runKeypool, tempDir } from './run-keypool';

const PASSPHRASE = 'init test passphrase';
const OPENAI_ONE = 'sk-proj-init-one-000011112222333344445555';
const OPENAI_TWO = 'sk-proj-init-two-666677778888999900001111';
const ANTHROPIC = 'sk-ant-init-main-aaaabbbbccccddddeeeeffff';
neverPrint(OPENAI_ONE, OPENAI_TWO, ANTHROPIC, PASSPHRASE);

describe('keypool init --yes (a subprocess, secrets on stdin)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let vault: string;
  let file: string;
  const init = (args: string[], options: RunOptions = {}) =>
    runKeypool(['init', '--yes', '--vault', vault, '--file', file, ...args], {
      ...options,
      env: { KEYPOOL_PASSPHRASE: PASSPHRASE, ...options.env },
    });

  beforeEach(async () => {
    dir = await tempDir();
    vault = join(dir.path, 'vault.json');
    file = join(dir.path, 'keypool.json');
  });
  afterEach(async () => {
    await dir.remove();
  });

  it('stores the keys in the vault and writes a keys file that refers to them, never to a secret', async () => {
    const result = await init(
      [
        '--key',
        'openai:main',
        '--key',
        'openai:backup',
        '--key',
        'anthropic:main',
        '--strategy',
        'round-robin',
        '--rpm',
        '100',
        '--rpm',
        'openai=500',
        '--tpm',
        'anthropic=40000',
        '--json',
      ],
      { input: `${OPENAI_ONE}\n${OPENAI_TWO}\n${ANTHROPIC}\n` },
    );
    expect(result.code, result.stderr).toBe(0);
    const report = jsonOf<{
      ok: boolean;
      strategy: string;
      keys: { provider: string; id: string; masked: string }[];
    }>(result);
    expect(report.ok).toBe(true);
    expect(report.strategy).toBe('round-robin');
    expect(report.keys.map((key) => `${key.provider}/${key.id}`)).toEqual([
      'openai/main',
      'openai/backup',
      'anthropic/main',
    ]);
    expect(report.keys[0]!.masked).toBe('sk-p...5555');

    const text = await readFile(file, 'utf8');
    for (const secret of [OPENAI_ONE, OPENAI_TWO, ANTHROPIC]) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toEqual({
      version: 1,
      providers: {
        openai: {
          pool: { strategy: 'round-robin' },
          keys: [
            { id: 'main', from: 'vault:openai/main', rpm: 500 },
            { id: 'backup', from: 'vault:openai/backup', rpm: 500 },
          ],
        },
        anthropic: {
          pool: { strategy: 'round-robin' },
          keys: [{ id: 'main', from: 'vault:anthropic/main', rpm: 100, tpm: 40_000 }],
        },
      },
    });

    // The keys file loads and resolves against the vault to exactly the secrets that were piped in.
    const opened = openVault({ path: vault, passphrase: PASSPHRASE });
    const resolved = await resolveKeysFile(await loadKeysFile(file), { sources: [vaultSource(opened)] });
    expect(resolved.keys.openai.map((key) => [key.id, key.secret, key.limits])).toEqual([
      ['main', OPENAI_ONE, { rpm: 500 }],
      ['backup', OPENAI_TWO, { rpm: 500 }],
    ]);
    expect(resolved.keys.anthropic.map((key) => key.secret)).toEqual([ANTHROPIC]);
    expect(resolved.pools.openai?.strategy).toBe('round-robin');
    expect((await opened.list('openai')).find((entry) => entry.id === 'main')?.primary).toBe(true);
    expect((await stat(vault)).mode & 0o777).toBe(0o600);
  });

  it('refuses to replace a keys file without --force, and writes nothing then', async () => {
    await writeFile(file, '{"version":1}\n');
    const refused = await init(['--key', 'openai:main'], { input: `${OPENAI_ONE}\n` });
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('exists; add --force');
    expect(await readFile(file, 'utf8')).toBe('{"version":1}\n');
    await expect(stat(vault)).rejects.toThrow();
    const forced = await init(['--key', 'openai:main', '--force'], { input: `${OPENAI_ONE}\n` });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8')).providers.openai.keys[0].from).toBe('vault:openai/main');
  });

  it('names what is wrong: no key, a line short, a bad provider, a bad limit, a bad strategy', async () => {
    const cases: [string[], string, string][] = [
      [[], '', 'needs at least one --key'],
      [
        ['--key', 'openai:main', '--key', 'openai:two'],
        `${OPENAI_ONE}\n`,
        'got 2 --key flag(s) but 1 secret line(s)',
      ],
      [['--key', 'openia:main'], `${OPENAI_ONE}\n`, 'unknown provider "openia"'],
      [['--key', 'openai:main', '--rpm', '-3'], `${OPENAI_ONE}\n`, '--rpm must be a non-negative number'],
      [['--key', 'openai:main', '--strategy', 'fastest'], `${OPENAI_ONE}\n`, 'unknown strategy "fastest"'],
      [['--key', 'openai:main', '--key', 'openai:main'], `${OPENAI_ONE}\n${OPENAI_TWO}\n`, 'already used'],
    ];
    for (const [args, input, message] of cases) {
      const result = await init(args, { input });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(message);
    }
    await expect(stat(file)).rejects.toThrow();
  });

  it('without --yes and without a terminal, says how to script it (exit 2)', async () => {
    const result = await runKeypool(['init', '--vault', vault, '--file', file], {
      env: { KEYPOOL_PASSPHRASE: PASSPHRASE },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes with --key <provider>:<id>');
  });

  it('refuses a key id or a secret the vault already holds, before writing anything (exit 5)', async () => {
    expect((await init(['--key', 'openai:main'], { input: `${OPENAI_ONE}\n` })).code).toBe(0);
    const otherFile = join(dir.path, 'other.json');
    const sameId = await runKeypool(
      ['init', '--yes', '--vault', vault, '--file', otherFile, '--key', 'openai:main'],
      { input: `${OPENAI_TWO}\n`, env: { KEYPOOL_PASSPHRASE: PASSPHRASE } },
    );
    expect(sameId.code).toBe(5);
    expect(sameId.stderr).toContain('already holds openai key "main"');
    const sameSecret = await runKeypool(
      ['init', '--yes', '--vault', vault, '--file', otherFile, '--key', 'openai:again'],
      { input: `${OPENAI_ONE}\n`, env: { KEYPOOL_PASSPHRASE: PASSPHRASE } },
    );
    expect(sameSecret.code).toBe(5);
    expect(sameSecret.stderr).toContain('already in the vault as "main"');
    await expect(stat(otherFile)).rejects.toThrow();
  });
});

describe('the README init example, run as written', () => {
  it('pipes three secrets into init --yes, and chat then serves from the keys file it wrote', async () => {
    const dir = await tempDir();
    const emulator = await startEmulator({ keys: { [OPENAI_ONE]: {}, [OPENAI_TWO]: {}, [ANTHROPIC]: {} } });
    try {
      const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
      const section = readme.slice(readme.indexOf('### `init`'));
      const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
      const [initCommand, chatCommand] = block.split(/\n(?=keypool chat)/);
      expect(chatCommand?.trim()).toBe('keypool chat "hello" --keys keypool.json');
      // `keypool` on PATH is the built CLI.
      const bin = join(dir.path, 'bin');
      await mkdir(bin);
      await writeFile(
        join(bin, 'keypool'),
        `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`,
        {
          mode: 0o755,
        },
      );
      const env = {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        HOME: dir.path,
        NO_COLOR: '1',
        KEYPOOL_SCRYPT_N: '1024',
        KEYPOOL_VAULT: join(dir.path, 'vault.json'),
        KEYPOOL_PASSPHRASE: PASSPHRASE,
        OPENAI_KEY: OPENAI_ONE,
        OPENAI_KEY_2: OPENAI_TWO,
        ANTHROPIC_KEY: ANTHROPIC,
      };
      const ran = spawnSync('sh', ['-c', initCommand!], { cwd: dir.path, env, encoding: 'utf8' });
      expect(ran.status, ran.stderr).toBe(0);
      for (const secret of [OPENAI_ONE, OPENAI_TWO, ANTHROPIC]) {
        expect(ran.stdout + ran.stderr).not.toContain(secret);
      }
      expect(
        JSON.parse(await readFile(join(dir.path, 'keypool.json'), 'utf8')).providers.openai.keys,
      ).toEqual([
        { id: 'main', from: 'vault:openai/main', rpm: 500 },
        { id: 'backup', from: 'vault:openai/backup', rpm: 500 },
      ]);
      // The README's next line, pointed at the emulator: the keys come from the vault through the keys file.
      const chat = await runKeypool(
        [
          'chat',
          'hello',
          '--keys',
          'keypool.json',
          '--chain',
          'openai:gpt-4o-mini',
          '--base-url',
          `openai=${emulator.baseURLs.openai}`,
          '--json',
        ],
        { cwd: dir.path, env: { KEYPOOL_VAULT: env.KEYPOOL_VAULT, KEYPOOL_PASSPHRASE: PASSPHRASE } },
      );
      expect(chat.code, chat.stderr).toBe(0);
      expect(emulator.requests.at(-1)?.keyMasked).toMatch(/^sk-p\.\.\.(5555|1111)$/);
    } finally {
      await emulator.close();
      await dir.remove();
    }
  });
});
