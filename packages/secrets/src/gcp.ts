import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { SecretStore, SecretValue } from './secret-store';
import { failureOfStatus, SecretStoreError, type SecretStoreFailure } from './secret-store-error';

/** Options of `createGoogleSecretStore`. */
export interface GoogleSecretStoreOptions {
  /** A `SecretManagerServiceClient` from `@google-cloud/secret-manager` (gRPC, or REST with `fallback: true`). */
  client: SecretManagerServiceClient;
  /** The project short names are read in (a project id or number); full `projects/...` names need none. */
  project?: string;
  /**
   * Let the client retry a failed read itself (default false: a watcher tries again on its own schedule, so a
   * store that is down fails fast instead of holding a refresh for the client's whole retry budget).
   */
  clientRetries?: boolean;
}

const KIND = 'google-secret-manager';

/** gRPC status codes the client reports, as failures. */
const GRPC_FAILURES: Record<number, SecretStoreFailure> = {
  1: 'timeout', // CANCELLED
  4: 'timeout', // DEADLINE_EXCEEDED
  5: 'not_found',
  7: 'denied', // PERMISSION_DENIED
  14: 'unreachable', // UNAVAILABLE
  16: 'denied', // UNAUTHENTICATED
};

/**
 * Google Secret Manager through the official client (`accessSecretVersion`): `read('openai-prod')` reads
 * `projects/<project>/secrets/openai-prod/versions/latest`, `read('openai-prod/3')` a pinned version, and a full
 * `projects/.../versions/...` name is used as it is. The version is the one the service resolved. A JSON secret takes
 * a field with `openai-prod#api_key`. The client is an optional peer dependency of `@keypool/secrets`.
 */
export function createGoogleSecretStore(options: GoogleSecretStoreOptions): SecretStore {
  const resourceOf = (name: string): string => {
    if (name.startsWith('projects/')) return name.includes('/versions/') ? name : `${name}/versions/latest`;
    if (!options.project) {
      throw new SecretStoreError(
        { store: KIND, secretName: name, reason: 'invalid' },
        'a short secret name needs the `project` option (or write projects/<project>/secrets/<name>)',
      );
    }
    const [secret, version = 'latest'] = name.split('/');
    return `projects/${options.project}/secrets/${secret}/versions/${version}`;
  };
  return {
    kind: KIND,
    async read(name: string, signal?: AbortSignal): Promise<SecretValue> {
      const resource = resourceOf(name);
      let response: { name?: string | null; payload?: { data?: Uint8Array | string | null } | null };
      try {
        const call = options.client.accessSecretVersion(
          { name: resource },
          options.clientRetries ? {} : { retry: null },
        );
        const cancel = () => (call as { cancel?: () => void }).cancel?.();
        signal?.addEventListener('abort', cancel, { once: true });
        try {
          [response] = await call;
        } finally {
          signal?.removeEventListener('abort', cancel);
        }
      } catch (error) {
        throw googleError(error, name);
      }
      const data = response.payload?.data;
      if (data === undefined || data === null) {
        throw new SecretStoreError(
          { store: KIND, secretName: name, reason: 'invalid' },
          'the version has no payload',
        );
      }
      const value = typeof data === 'string' ? data : new TextDecoder().decode(data);
      return { value, version: response.name?.split('/').at(-1) };
    },
  };
}

function googleError(error: unknown, name: string): SecretStoreError {
  const details = error as { code?: number | string; message?: string; status?: number };
  const code = typeof details.code === 'number' ? details.code : undefined;
  const reason: SecretStoreFailure =
    (code !== undefined ? GRPC_FAILURES[code] : undefined) ??
    (typeof details.status === 'number'
      ? failureOfStatus(details.status)
      : code === undefined
        ? 'unreachable'
        : 'server');
  const message =
    String(details.message ?? error)
      .split('\n')[0]
      ?.slice(0, 200) ?? '';
  return new SecretStoreError({ store: KIND, secretName: name, reason }, message);
}
