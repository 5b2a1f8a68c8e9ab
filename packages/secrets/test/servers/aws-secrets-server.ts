import { randomUUID } from 'node:crypto';
import { type LocalServer, startLocalServer } from './local-server';

/** A local server speaking the Secrets Manager JSON 1.1 API's `GetSecretValue`, for tests. */
export interface AwsSecretsServer extends LocalServer {
  /** Stores a new version of a secret (as `PutSecretValue` does: the new one becomes AWSCURRENT). */
  put(name: string, secretString: string): void;
}

const JSON_11 = { 'content-type': 'application/x-amz-json-1.1' };

/** Starts it on 127.0.0.1; requests must be signed (SigV4) with `accessKeyId`. */
export async function startAwsSecretsServer(accessKeyId: string): Promise<AwsSecretsServer> {
  const secrets = new Map<string, { value: string; versionId: string; created: number }>();
  const error = (status: number, type: string, message: string) => ({
    status,
    headers: { ...JSON_11, 'x-amzn-requestid': randomUUID() },
    body: { __type: type, message },
  });
  const server = await startLocalServer((request) => {
    const authorization = String(request.headers.authorization ?? '');
    if (!authorization.startsWith(`AWS4-HMAC-SHA256 Credential=${accessKeyId}/`)) {
      return error(
        400,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    if (request.method !== 'POST' || request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return error(400, 'UnknownOperationException', 'Unknown operation');
    }
    const input = JSON.parse(request.body || '{}') as { SecretId?: string };
    const secret = input.SecretId === undefined ? undefined : secrets.get(input.SecretId);
    if (!secret)
      return error(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return {
      status: 200,
      headers: { ...JSON_11, 'x-amzn-requestid': randomUUID() },
      body: {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${input.SecretId}-AbCdEf`,
        CreatedDate: secret.created / 1000,
        Name: input.SecretId,
        SecretString: secret.value,
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
      },
    };
  });
  return Object.assign(server, {
    put(name: string, secretString: string) {
      secrets.set(name, { value: secretString, versionId: randomUUID(), created: Date.now() });
    },
  });
}
