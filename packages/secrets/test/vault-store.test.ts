import { afterEach, describe, expect, it } from 'vitest';
import { SecretStoreError } from '../src/index';
import { createVaultStore } from '../src/vault';
import { runRotationScenario } from './rotation-scenario';
import { startVaultServer, type VaultServer } from './servers/vault-server';

const TOKEN = 'hvs.test-token-for-local-vault';
let server: VaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('HashiCorp Vault (KV v2 over HTTP)', () => {
  it('rotates a key in a running pool, and keeps the last good secret while Vault is down', async () => {
    const vault = await startVaultServer(TOKEN);
    server = vault;
    await runRotationScenario({
      store: createVaultStore({ address: vault.url, token: TOKEN }),
      ref: 'keypool/openai#api_key',
      put: (secret) => vault.put('keypool/openai', { api_key: secret, owner: 'team-a' }),
      setDown: (down) => {
        vault.down = down;
      },
    });
    expect(vault.requests.every((request) => request.url === '/v1/secret/data/keypool/openai')).toBe(true);
  });

  it('reads the version, names failures without values, and refuses a wrong token', async () => {
    const vault = await startVaultServer(TOKEN, 'kv');
    server = vault;
    vault.put('app/one', { key: 'sk-vault-single-field-0000000001' });
    vault.put('app/one', { key: 'sk-vault-single-field-0000000002' });
    const store = createVaultStore({ address: vault.url, token: async () => TOKEN, mount: 'kv' });
    await expect(store.read('app/one')).resolves.toEqual({
      value: JSON.stringify({ key: 'sk-vault-single-field-0000000002' }),
      version: '2',
    });
    const missing = await store.read('app/none').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(SecretStoreError);
    expect(missing).toMatchObject({
      reason: 'not_found',
      status: 404,
      store: 'vault',
      secretName: 'app/none',
    });
    const denied = await createVaultStore({ address: vault.url, token: 'hvs.wrong', mount: 'kv' })
      .read('app/one')
      .then(
        () => undefined,
        (error: unknown) => error as SecretStoreError,
      );
    expect(denied).toMatchObject({ reason: 'denied', status: 403 });
    expect(denied?.message).toBe('vault: secret "app/one": Vault answered 403: permission denied');
    vault.down = true;
    await expect(store.read('app/one')).rejects.toMatchObject({ reason: 'unreachable' });
  });
});
