import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Vault } from './vault';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The README's TypeScript block that walks through the vault, exactly as printed. */
function walkthrough(): string {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  const block = blocks.find((code) => code.includes('new Vault(') && code.includes('vault.remove('));
  if (!block) throw new Error('the README has no vault walkthrough block');
  return block;
}

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-readme-vault-'));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(directory, { recursive: true, force: true });
});

describe('the README vault walkthrough', () => {
  it('runs verbatim against a fresh vault (path and passphrase from the documented variables)', async () => {
    const path = join(directory, 'vault.json');
    vi.stubEnv('KEYPOOL_VAULT', path);
    vi.stubEnv('KEYPOOL_PASSPHRASE', 'the passphrase from the environment');
    const file = join(directory, 'vault-walkthrough.ts');
    await writeFile(file, walkthrough());

    await import(/* @vite-ignore */ file);

    // The walkthrough removed the anthropic key it added and rekeyed: only the new passphrase opens the vault.
    const reopened = new Vault({ path, passphrase: 'a new passphrase', env: {} });
    const entries = await reopened.list();
    expect(entries.map((entry) => `${entry.provider}/${entry.id}`)).toEqual(['openai/main']);
    expect(entries[0]?.primary).toBe(true);
    expect(entries[0]?.disabled ?? false).toBe(false);
    expect(await reopened.getSecret('openai', 'main')).toBe('sk-...');
    await expect(
      new Vault({ path, passphrase: 'the passphrase from the environment', env: {} }).list(),
    ).rejects.toThrow(/passphrase/);
  }, 120_000);
});
