import type { SecretClient } from '@azure/keyvault-secrets';
import type { SecretStore, SecretValue } from './secret-store';
import { failureOfStatus, SecretStoreError, type SecretStoreFailure } from './secret-store-error';

/** Options of `createAzureKeyVaultStore`. */
export interface AzureKeyVaultStoreOptions {
  /** A `SecretClient` from `@azure/keyvault-secrets` for your vault, with your credential. */
  client: SecretClient;
}

const KIND = 'azure-key-vault';

/**
 * Azure Key Vault secrets through the official SDK: `read('openai-prod')` gives the latest version of a secret (or
 * `read('openai-prod/<version>')` a pinned one) and its version id. A JSON secret takes a field with
 * `openai-prod#api_key`. The SDK is an optional peer dependency of `@keypool/secrets`: install it to use this subpath.
 */
export function createAzureKeyVaultStore(options: AzureKeyVaultStoreOptions): SecretStore {
  return {
    kind: KIND,
    async read(name: string, signal?: AbortSignal): Promise<SecretValue> {
      const [secretName = '', version] = name.split('/');
      let secret: Awaited<ReturnType<SecretClient['getSecret']>>;
      try {
        secret = await options.client.getSecret(secretName, {
          ...(version ? { version } : {}),
          ...(signal ? { abortSignal: signal } : {}),
        });
      } catch (error) {
        throw azureError(error, name);
      }
      if (secret.value === undefined) {
        throw new SecretStoreError(
          { store: KIND, secretName: name, reason: 'invalid' },
          'the secret has no value (disabled?)',
        );
      }
      return { value: secret.value, version: secret.properties.version };
    },
  };
}

function azureError(error: unknown, name: string): SecretStoreError {
  const details = error as { name?: string; code?: string; message?: string; statusCode?: number };
  const status = details.statusCode;
  const reason: SecretStoreFailure =
    details.name === 'AbortError'
      ? 'timeout'
      : status !== undefined
        ? failureOfStatus(status)
        : 'unreachable';
  const code = details.code ?? details.name ?? 'Error';
  // The service's messages name the secret and vault; the first line is enough and holds no value.
  const message =
    String(details.message ?? '')
      .split('\n')[0]
      ?.slice(0, 200) ?? '';
  return new SecretStoreError({ store: KIND, secretName: name, reason, status }, `${code}: ${message}`);
}
