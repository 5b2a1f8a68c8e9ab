import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { OAuth2Client } from 'google-auth-library';
import { afterEach, describe, expect, it } from 'vitest';
import { createGoogleSecretStore } from '../src/gcp';
import { runRotationScenario } from './rotation-scenario';
import { type GoogleSecretServer, startGoogleSecretServer } from './servers/google-secret-server';

const TOKEN = 'ya29.local-test-access-token';
let server: GoogleSecretServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * The real client in its REST mode (`fallback: true`), pointed at the local server over plain HTTP, with an OAuth2
 * client that already holds an access token (what Application Default Credentials would fetch).
 */
function clientFor(url: string, token = TOKEN): SecretManagerServiceClient {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  const { hostname, port } = new URL(url);
  return new SecretManagerServiceClient({
    fallback: true,
    protocol: 'http',
    apiEndpoint: hostname,
    port: Number(port),
    authClient: auth,
  });
}

describe('Google Secret Manager (the real client in REST mode against a local server)', () => {
  it('rotates a key in a running pool, and keeps the last good secret while the store is down', async () => {
    const google = await startGoogleSecretServer(TOKEN);
    server = google;
    const client = clientFor(google.url);
    await runRotationScenario({
      store: createGoogleSecretStore({ client, project: 'keypool-test' }),
      ref: 'openai-prod',
      put: (secret) => google.put('keypool-test', 'openai-prod', secret),
      setDown: (down) => {
        google.down = down;
      },
    });
    expect(google.requests[0]?.url).toMatch(
      /^\/v1\/projects\/keypool-test\/secrets\/openai-prod\/versions\/latest:access(\?|$)/,
    );
    await client.close();
  });

  it('reads pinned versions and full names, and names missing secrets and refusals without values', async () => {
    const google = await startGoogleSecretServer(TOKEN);
    server = google;
    google.put('p1', 'multi', JSON.stringify({ api_key: 'sk-gcp-json-field-secret-0000001' }));
    google.put('p1', 'multi', JSON.stringify({ api_key: 'sk-gcp-json-field-secret-0000002' }));
    const client = clientFor(google.url);
    const store = createGoogleSecretStore({ client, project: 'p1' });
    expect(await store.read('multi')).toEqual({
      value: JSON.stringify({ api_key: 'sk-gcp-json-field-secret-0000002' }),
      version: '2',
    });
    expect((await store.read('multi/1')).version).toBe('1');
    expect((await store.read('projects/p1/secrets/multi')).version).toBe('2');
    await expect(store.read('absent')).rejects.toMatchObject({ reason: 'not_found' });
    await expect(createGoogleSecretStore({ client }).read('multi')).rejects.toMatchObject({
      reason: 'invalid',
    });
    const stranger = clientFor(google.url, 'ya29.someone-else');
    await expect(
      createGoogleSecretStore({ client: stranger, project: 'p1' }).read('multi'),
    ).rejects.toMatchObject({
      reason: 'denied',
    });
    await client.close();
    await stranger.close();
  });
});
