import type { SecretStore, SecretValue } from './secret-store';
import { failureOfStatus, SecretStoreError, toSecretStoreError } from './secret-store-error';

/** Options of `createVaultStore`. */
export interface VaultStoreOptions {
  /** The Vault server, e.g. `https://vault.example.com:8200` (default `VAULT_ADDR`). */
  address?: string;
  /** A Vault token, or a function giving the current one (default `VAULT_TOKEN`). */
  token?: string | (() => string | Promise<string>);
  /** The KV version 2 secrets engine's mount path (default `secret`). */
  mount?: string;
  /** A Vault Enterprise namespace (`X-Vault-Namespace`). */
  namespace?: string;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

const KIND = 'vault';

/**
 * HashiCorp Vault's KV version 2 secrets engine over its HTTP API (no SDK needed): `read('openai/prod')` reads
 * `GET /v1/<mount>/data/openai/prod` with the token in `X-Vault-Token`. The value is the entry's data as JSON, so a
 * reference takes one field with `openai/prod#api_key` (an entry with one field needs none); the version is the
 * entry's version.
 */
export function createVaultStore(options: VaultStoreOptions = {}): SecretStore {
  const address = (options.address ?? process.env.VAULT_ADDR ?? '').replace(/\/+$/, '');
  const mount = (options.mount ?? 'secret').replace(/^\/+|\/+$/g, '');
  const token = options.token ?? process.env.VAULT_TOKEN;
  const fetchImpl = options.fetch ?? fetch;
  return {
    kind: KIND,
    async read(name: string, signal?: AbortSignal): Promise<SecretValue> {
      const fail = (reason: 'invalid' | 'denied', message: string) =>
        new SecretStoreError({ store: KIND, secretName: name, reason }, message);
      if (address === '') throw fail('invalid', 'no Vault address (set `address` or VAULT_ADDR)');
      const current = typeof token === 'function' ? await token() : token;
      if (!current) throw fail('denied', 'no Vault token (set `token` or VAULT_TOKEN)');
      const path = name
        .replace(/^\/+/, '')
        .split('/')
        .map((part) => encodeURIComponent(part))
        .join('/');
      const headers: Record<string, string> = { 'X-Vault-Token': current, accept: 'application/json' };
      if (options.namespace) headers['X-Vault-Namespace'] = options.namespace;
      let response: Response;
      try {
        response = await fetchImpl(`${address}/v1/${mount}/data/${path}`, {
          headers,
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        throw toSecretStoreError(error, KIND, name);
      }
      const body = (await response.json().catch(() => undefined)) as VaultReadBody | undefined;
      if (!response.ok) {
        const errors = Array.isArray(body?.errors) ? body.errors.join('; ').slice(0, 200) : '';
        throw new SecretStoreError(
          {
            store: KIND,
            secretName: name,
            reason: failureOfStatus(response.status),
            status: response.status,
          },
          `Vault answered ${response.status}${errors ? `: ${errors}` : ''}`,
        );
      }
      const data = body?.data?.data;
      if (data === null || typeof data !== 'object') {
        throw fail('invalid', 'Vault returned no data (deleted or destroyed version?)');
      }
      const version = body?.data?.metadata?.version;
      return { value: JSON.stringify(data), version: version === undefined ? undefined : String(version) };
    },
  };
}

interface VaultReadBody {
  errors?: string[];
  data?: { data?: Record<string, unknown> | null; metadata?: { version?: number } };
}
