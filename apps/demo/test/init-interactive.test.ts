import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadKeysFile, openVault, resolveKeysFile, vaultSource } from '@keypool/keystore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CANARY, CLI, tempDir } from './run-keypool';
import { TmuxSession } from './tmux-session';

const FIRST = 'sk-proj-typed-first-1234567890abcdefABCD';
const SECOND = 'sk-proj-typed-second-0987654321fedcbaWXYZ';
const MISTRAL = 'mistral-typed-secret-ABCDEFGHIJKLMNOPqrst';
const PASSPHRASE = 'typed vault passphrase';

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

describe('keypool init, interactive, in a real terminal (tmux)', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let terminal: TmuxSession | undefined;

  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await terminal?.close();
    await dir.remove();
  });

  it('asks for providers, keys (hidden), limits, strategy and the vault passphrase; echoes no secret', async () => {
    const vault = join(dir.path, 'vault.json');
    const file = join(dir.path, 'keypool.json');
    // A clean environment: no KEYPOOL_PASSPHRASE, so the vault's passphrase is asked for too.
    const command = [
      'env -i',
      `PATH=${quote(process.env.PATH ?? '')}`,
      `HOME=${quote(dir.path)}`,
      'TERM=xterm-256color',
      'KEYPOOL_SCRYPT_N=1024',
      quote(process.execPath),
      quote(CLI),
      'init',
      '--vault',
      quote(vault),
      '--file',
      quote(file),
      '; echo "EXIT=$?"; sleep 120',
    ].join(' ');
    terminal = await TmuxSession.start(command, { cwd: dir.path });
    const screen = terminal;

    await screen.waitFor('Which providers?');
    await screen.keys('Space', 'Down', 'Down', 'Down', 'Space', 'Enter'); // openai and mistral
    await screen.waitFor('openai: a name for key 1');
    await screen.keys('Enter'); // the default, "main"
    await screen.waitFor('openai "main": the secret (hidden)');
    await screen.type(FIRST);
    await screen.keys('Enter');
    await screen.waitFor('Add another openai key?');
    await screen.keys('Left', 'Enter'); // yes
    await screen.waitFor('openai: a name for key 2');
    await screen.type('main'); // taken: refused in place
    await screen.keys('Enter');
    await screen.waitFor('"main" is already used for this provider');
    await screen.keys('BSpace', 'BSpace', 'BSpace', 'BSpace');
    await screen.type('backup');
    await screen.keys('Enter');
    await screen.waitFor('openai "backup": the secret (hidden)');
    await screen.type(SECOND);
    await screen.keys('Enter');
    await screen.waitFor('Add another openai key?', 20_000, 2); // asked again, after the second key
    await screen.keys('Enter'); // no
    await screen.waitFor('openai: requests per minute per key');
    await screen.type('-5');
    await screen.keys('Enter');
    await screen.waitFor('rpm must be a non-negative number');
    await screen.keys('BSpace', 'BSpace');
    await screen.type('500');
    await screen.keys('Enter');
    await screen.waitFor('openai: tokens per minute per key');
    await screen.keys('Enter'); // none
    await screen.waitFor('mistral: a name for key 1');
    await screen.keys('Enter');
    await screen.waitFor('mistral "main": the secret (hidden)');
    await screen.type(MISTRAL);
    await screen.keys('Enter');
    await screen.waitFor('Add another mistral key?');
    await screen.keys('Enter');
    await screen.waitFor('mistral: requests per minute per key');
    await screen.keys('Enter');
    await screen.waitFor('mistral: tokens per minute per key');
    await screen.keys('Enter');
    await screen.waitFor('How should a pool pick the next key?');
    await screen.keys('Down', 'Enter'); // from health (the default, first) to round-robin
    await screen.waitFor('choose a passphrase');
    await screen.type(PASSPHRASE);
    await screen.keys('Enter');
    await screen.waitFor('Type the passphrase again');
    await screen.type(PASSPHRASE);
    await screen.keys('Enter');
    const final = await screen.waitFor('EXIT=');

    expect(final).toContain('EXIT=0');
    expect(final).toContain('added openai key "main" (sk-p...ABCD)');
    expect(final).toContain('added openai key "backup" (sk-p...WXYZ)');
    expect(final).toContain('added mistral key "main"');
    expect(final).toContain('strategy round-robin');
    // What was typed hidden shows as stars only: no secret, no passphrase, not even a piece of one.
    for (const secret of [FIRST, SECOND, MISTRAL, PASSPHRASE, CANARY]) {
      expect(final).not.toContain(secret);
      expect(final).not.toContain(secret.slice(4, 16));
    }
    expect(final).toMatch(/\*{20,}/);

    const keysFile = JSON.parse(await readFile(file, 'utf8'));
    expect(keysFile.providers.openai).toEqual({
      pool: { strategy: 'round-robin' },
      keys: [
        { id: 'main', from: 'vault:openai/main', rpm: 500 },
        { id: 'backup', from: 'vault:openai/backup', rpm: 500 },
      ],
    });
    expect(keysFile.providers.mistral.keys).toEqual([{ id: 'main', from: 'vault:mistral/main' }]);
    const resolved = await resolveKeysFile(await loadKeysFile(file), {
      sources: [vaultSource(openVault({ path: vault, passphrase: PASSPHRASE }))],
    });
    expect(resolved.keys.openai.map((key) => key.secret)).toEqual([FIRST, SECOND]);
    expect(resolved.keys.mistral.map((key) => key.secret)).toEqual([MISTRAL]);
  });

  it('Ctrl-C at a question cancels with exit 130 and writes nothing', async () => {
    const file = join(dir.path, 'keypool.json');
    const command = `env -i PATH=${quote(process.env.PATH ?? '')} HOME=${quote(dir.path)} TERM=xterm-256color ${quote(process.execPath)} ${quote(CLI)} init --vault ${quote(join(dir.path, 'vault.json'))} --file ${quote(file)}; echo "EXIT=$?"; sleep 120`;
    terminal = await TmuxSession.start(command, { cwd: dir.path });
    await terminal.waitFor('Which providers?');
    await terminal.keys('Space', 'Enter');
    await terminal.waitFor('openai: a name for key 1');
    await terminal.keys('C-c');
    const final = await terminal.waitFor('EXIT=');
    expect(final).toContain('EXIT=130');
    expect(final).toContain('Nothing was written.');
    await expect(readFile(file)).rejects.toThrow();
  });
});
