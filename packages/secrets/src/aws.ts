import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore, SecretValue } from './secret-store';
import { failureOfStatus, SecretStoreError, type SecretStoreFailure } from './secret-store-error';

/** Options of `createAwsSecretsStore`. */
export interface AwsSecretsStoreOptions {
  /** A `SecretsManagerClient` from `@aws-sdk/client-secrets-manager`, with your region, credentials and endpoint. */
  client: SecretsManagerClient;
  /** The staging label to read (default the store's own default, `AWSCURRENT`). */
  versionStage?: string;
}

const KIND = 'aws-secrets-manager';

/**
 * AWS Secrets Manager through the official SDK (`GetSecretValue`): `read('prod/openai')` takes a secret's name or
 * ARN and gives its `SecretString` (or a UTF-8 `SecretBinary`) and `VersionId`. A JSON secret (the console's
 * key/value form) takes one field with `prod/openai#api_key`. The SDK is an optional peer dependency of
 * `@keypool/secrets`: install it to use this subpath.
 */
export function createAwsSecretsStore(options: AwsSecretsStoreOptions): SecretStore {
  return {
    kind: KIND,
    async read(name: string, signal?: AbortSignal): Promise<SecretValue> {
      let output: GetSecretValueCommandOutput;
      try {
        output = await options.client.send(
          new GetSecretValueCommand({
            SecretId: name,
            ...(options.versionStage === undefined ? {} : { VersionStage: options.versionStage }),
          }),
          signal ? { abortSignal: signal } : {},
        );
      } catch (error) {
        throw awsError(error, name);
      }
      const value =
        output.SecretString ??
        (output.SecretBinary ? new TextDecoder().decode(output.SecretBinary) : undefined);
      if (value === undefined) {
        throw new SecretStoreError(
          { store: KIND, secretName: name, reason: 'invalid' },
          'the secret has neither SecretString nor SecretBinary',
        );
      }
      return { value, version: output.VersionId };
    },
  };
}

const DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'DecryptionFailure',
]);

function awsError(error: unknown, name: string): SecretStoreError {
  const details = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = details.$metadata?.httpStatusCode;
  const errorName = details.name ?? 'Error';
  const reason: SecretStoreFailure =
    errorName === 'ResourceNotFoundException'
      ? 'not_found'
      : DENIED.has(errorName)
        ? 'denied'
        : errorName === 'AbortError' || errorName === 'TimeoutError'
          ? 'timeout'
          : status !== undefined
            ? failureOfStatus(status)
            : 'unreachable';
  return new SecretStoreError(
    { store: KIND, secretName: name, reason, status },
    `${errorName}: ${String(details.message ?? '').slice(0, 200)}`,
  );
}
