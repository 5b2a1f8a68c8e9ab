import type { TokenCredential } from '@azure/core-auth';
import { SecretClient } from '@azure/keyvault-secrets';
import { afterEach, describe, expect, it } from 'vitest';
import { createAzureKeyVaultStore } from '../src/azure';
import { runRotationScenario } from './rotation-scenario';
import { type AzureKeyVaultServer, startAzureKeyVaultServer } from './servers/azure-key-vault-server';
import { TEST_CA } from './servers/local-server';

const TOKEN = 'local-test-entra-access-token';
let server: AzureKeyVaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A credential that hands out a fixed token (what `DefaultAzureCredential` would fetch from Entra ID). */
function fixedCredential(token: string, scopes: string[][] = []): TokenCredential {
  return {
    getToken: async (scope) => {
      scopes.push(Array.isArray(scope) ? scope : [scope]);
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** The real SDK client pointed at the local vault: trusting its test certificate, SDK retries off. */
function clientFor(url: string, credential: TokenCredential): SecretClient {
  return new SecretClient(url, credential, {
    disableChallengeResourceVerification: true,
    tlsOptions: { ca: TEST_CA },
    retryOptions: { maxRetries: 0 },
  });
}

describe('Azure Key Vault (the real SDK against a local HTTPS server)', () => {
  it('rotates a key in a running pool, and keeps the last good secret while the vault is down', async () => {
    const vault = await startAzureKeyVaultServer(TOKEN);
    server = vault;
    const scopes: string[][] = [];
    await runRotationScenario({
      store: createAzureKeyVaultStore({ client: clientFor(vault.url, fixedCredential(TOKEN, scopes)) }),
      ref: 'openai-prod',
      put: (secret) => vault.put('openai-prod', secret),
      setDown: (down) => {
        vault.down = down;
      },
    });
    expect(scopes[0]).toEqual(['https://vault.azure.net/.default']);
    expect(vault.requests[0]?.headers.authorization).toBeUndefined(); // the challenge round first
    expect(vault.requests.at(-1)?.url).toMatch(/^\/secrets\/openai-prod\/?\?api(-|%2D)version=2026-/);
  });

  it('reads a pinned version, and names missing secrets and refused tokens without values', async () => {
    const vault = await startAzureKeyVaultServer(TOKEN);
    server = vault;
    vault.put('pinned', 'sk-azure-kv-first-version-000001');
    vault.put('pinned', 'sk-azure-kv-second-version-00002');
    const store = createAzureKeyVaultStore({ client: clientFor(vault.url, fixedCredential(TOKEN)) });
    const latest = await store.read('pinned');
    expect(latest.value).toBe('sk-azure-kv-second-version-00002');
    const pinned = await store.read(`pinned/${vault.versions('pinned')[0]}`);
    expect(pinned).toEqual({
      value: 'sk-azure-kv-first-version-000001',
      version: vault.versions('pinned')[0],
    });
    expect(latest.version).toBe(vault.versions('pinned')[1]);
    await expect(store.read('missing')).rejects.toMatchObject({
      reason: 'not_found',
      status: 404,
      message: expect.stringContaining('SecretNotFound'),
    });
    const wrong = createAzureKeyVaultStore({
      client: clientFor(vault.url, fixedCredential('not-the-token')),
    });
    await expect(wrong.read('pinned')).rejects.toMatchObject({ reason: 'denied', status: 401 });
  });
});
