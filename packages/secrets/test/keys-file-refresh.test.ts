import { createFromKeysFile, type KeysFileEvents, type KeysFileKeypool } from '@keypool/config';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretCache, toSecretSource } from '../src/index';
import { createVaultStore } from '../src/vault';
import { startVaultServer, type VaultServer } from './servers/vault-server';

const TOKEN = 'hvs.keys-file-refresh-token';
const OLD = 'sk-kf-vault-old-0123456789abcdef0123';
const NEW = 'sk-kf-vault-new-fedcba9876543210fedc';
const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

let vault: VaultServer;
let emulator: Emulator;
beforeAll(async () => {
  vault = await startVaultServer(TOKEN);
  emulator = await startEmulator({ keys: { [OLD]: {}, [NEW]: {} } });
});
afterAll(async () => {
  await emulator?.close();
  await vault?.close();
});

/** Resolves with the first event `name` that passes `test`. */
function next<K extends keyof KeysFileEvents>(
  keypool: KeysFileKeypool,
  name: K,
  test: (event: KeysFileEvents[K]) => boolean = () => true,
): Promise<KeysFileEvents[K]> {
  return new Promise((resolve) => {
    const off = keypool.on(name, (event) => {
      if (!test(event)) return;
      off();
      resolve(event);
    });
  });
}

describe('a keys file over HashiCorp Vault, re-read on the cache TTL', () => {
  it('brings a secret rotated in Vault to the running pool, and keeps it while Vault is down', async () => {
    vault.put('keypool/openai', { api_key: OLD });
    // The cache's TTL is the source's refreshMs: createFromKeysFile re-reads on it.
    const cache = new SecretCache(createVaultStore({ address: vault.url, token: TOKEN }), { ttlMs: 100 });
    const keypool = await createFromKeysFile(
      { providers: { openai: { keys: [{ id: 'main', from: 'hvault:keypool/openai#api_key' }] } } },
      {
        sources: [toSecretSource(cache, 'hvault')],
        clientOptions: { openai: { baseURL: emulator.baseURLs.openai } },
      },
    );
    const seen: unknown[] = [];
    for (const name of [
      'config.reloaded',
      'config.error',
      'secret.refresh_failed',
      'secret.recovered',
    ] as const)
      keypool.on(name, (event) => seen.push(event));
    try {
      const pool = keypool.pool('openai');
      await pool.chat(ask);
      expect(emulator.requestsFor(OLD)).toHaveLength(1);

      const rotated = next(keypool, 'config.reloaded', (event) => event.changes.length > 0);
      vault.put('keypool/openai', { api_key: NEW });
      expect((await rotated).changes).toEqual([
        { provider: 'openai', keyId: 'main', action: 'updated', fields: ['secret'] },
      ]);
      await pool.chat(ask);
      expect(emulator.requestsFor(NEW)).toHaveLength(1);

      const failed = next(keypool, 'secret.refresh_failed');
      vault.down = true;
      expect(await failed).toMatchObject({
        provider: 'openai',
        keyId: 'main',
        ref: 'hvault:keypool/openai#api_key',
      });
      await pool.chat(ask);
      expect(emulator.requestsFor(NEW)).toHaveLength(2);

      const recovered = next(keypool, 'secret.recovered');
      vault.down = false;
      expect(await recovered).toMatchObject({ keyId: 'main' });
      expect(pool.keyIds()).toEqual(['main']);
    } finally {
      await keypool.close();
    }
    const text = JSON.stringify(seen, (_key, value) => (value instanceof Error ? value.message : value));
    expect(text).not.toContain(OLD);
    expect(text).not.toContain(NEW);
  });
});
