import { readFileSync } from 'node:fs';
import { readmeExampleParts } from '@keypool/core/testing';
import { startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { loadSecretKeys, watchPoolSecrets } from '@keypool/secrets';
import { createVaultStore } from '@keypool/secrets/vault';
import { afterEach, expect, it, vi } from 'vitest';
import { startVaultServer } from './servers/vault-server';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

it('runs the README example as written, against a local Vault and the emulator', async () => {
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const { missingImports, body, region } = readmeExampleParts(block, self);
  expect(missingImports).toEqual([]);
  expect(region).toBe(body);

  const secret = 'sk-readme-vault-0123456789abcdef';
  const emulator = await startEmulator({ keys: { [secret]: {} } });
  const vault = await startVaultServer('hvs.readme-token');
  vault.put('keypool/openai', { api_key: secret });
  process.env.VAULT_ADDR = vault.url;
  process.env.VAULT_TOKEN = 'hvs.readme-token';
  process.env.OPENAI_BASE_URL = emulator.baseURLs.openai;
  const printed: unknown[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => printed.push(line));
  try {
    // --- README example start
    const store = createVaultStore(); // VAULT_ADDR, VAULT_TOKEN; KV v2 mounted at `secret`
    const keys = [{ id: 'openai-main', ref: 'keypool/openai#api_key' }];
    const pool = createOpenAIPool({ keys: await loadSecretKeys(store, keys) });
    const watcher = watchPoolSecrets(pool, { store, keys, ttlMs: 60_000 });
    watcher.on('secret.rotated', (event) => console.log(`${event.keyId} now uses ${event.masked}`));
    watcher.on('secret.refresh_failed', (event) => console.warn(`${event.store}: ${event.message}`));

    const answer = await pool.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] });
    console.log(answer.text);
    await watcher.close();
    // --- README example end
    expect(printed).toEqual(['Echo: Hello!']);
    expect(emulator.requestsFor(secret)).toHaveLength(1);
    await pool.close();
  } finally {
    await vault.close();
    await emulator.close();
  }
});
