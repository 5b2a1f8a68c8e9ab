import { type LocalServer, startLocalServer } from './local-server';

/** A local server speaking Vault's KV version 2 read API (`GET /v1/<mount>/data/<path>`), for tests. */
export interface VaultServer extends LocalServer {
  /** Writes a new version of an entry (as `vault kv put` does). */
  put(path: string, data: Record<string, string>): void;
}

/** Starts it on 127.0.0.1 with one accepted token and the mount `secret`. */
export async function startVaultServer(token: string, mount = 'secret'): Promise<VaultServer> {
  const entries = new Map<string, { data: Record<string, string>; version: number; created: string }>();
  const server = await startLocalServer((request) => {
    if (request.headers['x-vault-token'] !== token)
      return { status: 403, body: { errors: ['permission denied'] } };
    const prefix = `/v1/${mount}/data/`;
    if (request.method !== 'GET' || !request.url.startsWith(prefix))
      return { status: 404, body: { errors: [] } };
    const path = decodeURIComponent(request.url.slice(prefix.length).split('?')[0] ?? '');
    const entry = entries.get(path);
    if (!entry) return { status: 404, body: { errors: [] } };
    return {
      status: 200,
      body: {
        request_id: crypto.randomUUID(),
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: {
          data: entry.data,
          metadata: {
            created_time: entry.created,
            custom_metadata: null,
            deletion_time: '',
            destroyed: false,
            version: entry.version,
          },
        },
        wrap_info: null,
        warnings: null,
        auth: null,
      },
    };
  });
  return Object.assign(server, {
    put(path: string, data: Record<string, string>) {
      const version = (entries.get(path)?.version ?? 0) + 1;
      entries.set(path, { data, version, created: new Date().toISOString() });
    },
  });
}
