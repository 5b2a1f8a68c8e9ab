import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsSecretsStore } from '../src/aws';
import { runRotationScenario } from './rotation-scenario';
import { type AwsSecretsServer, startAwsSecretsServer } from './servers/aws-secrets-server';

const ACCESS_KEY_ID = 'AKIDLOCALTEST0000000';
let server: AwsSecretsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The real SDK client pointed at the local server, with fake credentials and its own retries off. */
function clientFor(url: string, accessKeyId = ACCESS_KEY_ID): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local-test-secret-access-key' },
    maxAttempts: 1,
  });
}

describe('AWS Secrets Manager (the real SDK against a local GetSecretValue server)', () => {
  it('rotates a key in a running pool, and keeps the last good secret while the store is down', async () => {
    const aws = await startAwsSecretsServer(ACCESS_KEY_ID);
    server = aws;
    const client = clientFor(aws.url);
    await runRotationScenario({
      store: createAwsSecretsStore({ client }),
      ref: 'prod/keypool/openai#OPENAI_API_KEY',
      put: (secret) =>
        aws.put('prod/keypool/openai', JSON.stringify({ OPENAI_API_KEY: secret, region: 'eu' })),
      setDown: (down) => {
        aws.down = down;
      },
    });
    expect(aws.requests[0]?.headers['content-type']).toBe('application/x-amz-json-1.1');
    client.destroy();
  });

  it('maps missing secrets and refused credentials, naming no value', async () => {
    const aws = await startAwsSecretsServer(ACCESS_KEY_ID);
    server = aws;
    aws.put('plain', 'sk-aws-plain-text-secret-00000001');
    const client = clientFor(aws.url);
    const store = createAwsSecretsStore({ client });
    const read = await store.read('plain');
    expect(read.value).toBe('sk-aws-plain-text-secret-00000001');
    expect(read.version).toMatch(/^[0-9a-f-]{36}$/);
    await expect(store.read('nope')).rejects.toMatchObject({
      name: 'SecretStoreError',
      reason: 'not_found',
      status: 400,
      message: expect.stringContaining('ResourceNotFoundException'),
    });
    const stranger = clientFor(aws.url, 'AKIDSOMEONEELSE00000');
    await expect(createAwsSecretsStore({ client: stranger }).read('plain')).rejects.toMatchObject({
      reason: 'denied',
    });
    client.destroy();
    stranger.destroy();
  });
});
