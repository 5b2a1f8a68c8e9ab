import { randomUUID } from 'node:crypto';
import { type LocalServer, startLocalServer } from './local-server';

/** A local HTTPS server speaking Azure Key Vault's "get secret" API with its bearer challenge, for tests. */
export interface AzureKeyVaultServer extends LocalServer {
  /** Sets a new version of a secret (as `setSecret` does). */
  put(name: string, value: string): void;
  /** The version ids of a secret, oldest first. */
  versions(name: string): string[];
}

const CHALLENGE =
  'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"';

/**
 * Starts it on 127.0.0.1 over HTTPS (the SDK sends tokens only over TLS). A request without a token gets the 401
 * challenge Key Vault sends; one with `Bearer <token>` is served.
 */
export async function startAzureKeyVaultServer(token: string): Promise<AzureKeyVaultServer> {
  const secrets = new Map<string, { value: string; version: string; created: number }[]>();
  const server: LocalServer = await startLocalServer(
    (request) => {
      const url = new URL(request.url, server.url);
      if (!url.searchParams.get('api-version')) {
        return { status: 400, body: { error: { code: 'BadParameter', message: 'api-version is missing' } } };
      }
      if (request.headers.authorization !== `Bearer ${token}`) {
        return {
          status: 401,
          headers: { 'www-authenticate': CHALLENGE },
          body: {
            error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' },
          },
        };
      }
      const match = /^\/secrets\/([^/]+)(?:\/([^/]*))?$/.exec(url.pathname);
      const versions = match ? secrets.get(decodeURIComponent(match[1]!)) : undefined;
      const wanted = match?.[2];
      const secret = wanted ? versions?.find((entry) => entry.version === wanted) : versions?.at(-1);
      if (!match || !secret) {
        return {
          status: 404,
          body: {
            error: {
              code: 'SecretNotFound',
              message: `A secret with (name/id) ${match?.[1] ?? '?'} was not found in this key vault.`,
            },
          },
        };
      }
      return {
        status: 200,
        body: {
          value: secret.value,
          id: `${server.url}/secrets/${match[1]}/${secret.version}`,
          attributes: {
            enabled: true,
            created: Math.floor(secret.created / 1000),
            updated: Math.floor(secret.created / 1000),
            recoveryLevel: 'Recoverable+Purgeable',
            recoverableDays: 90,
          },
          tags: {},
        },
      };
    },
    { tls: true },
  );
  return Object.assign(server, {
    put(name: string, value: string) {
      const version = randomUUID().replaceAll('-', '');
      secrets.set(name, [...(secrets.get(name) ?? []), { value, version, created: Date.now() }]);
    },
    versions: (name: string) => (secrets.get(name) ?? []).map((entry) => entry.version),
  });
}
