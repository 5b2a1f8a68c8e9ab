import { readFile } from 'node:fs/promises';
import { ConfigError, type KeyPoolOptions } from '@keypool/core';
import {
  type KeystoreWarning,
  parseKeysFile,
  type ResolvedKeys,
  resolveKeysFile,
  type SecretSource,
} from '@keypool/keystore';
import { createRedisStore } from '@keypool/redis';
import { parse as parseYaml } from 'yaml';
import { type GatewayConfig, parseGatewayConfig } from './gateway-config';
import { createGatewayDashboard } from './gateway-dashboard';
import { createGatewayPools } from './gateway-pools';
import { unsupportedProviderIssues } from './gateway-providers';
import { type Gateway, type GatewayOptions, startGateway } from './gateway-server';
import { RedisVirtualKeyBudget } from './redis-virtual-key-budget';
import type { MountedHandler, WebHandler } from './web-handler';

/** The dashboard first, then the caller's handler for what it does not serve; one `close` for both. */
function combineMounts(
  first: MountedHandler | undefined,
  second: WebHandler | MountedHandler | undefined,
): MountedHandler | undefined {
  const next = typeof second === 'function' ? { fetch: second } : second;
  if (first === undefined || next === undefined) return first ?? next;
  return {
    fetch: async (request, context) => (await first.fetch(request, context)) ?? next.fetch(request, context),
    close: async () => {
      await first.close?.();
      await next.close?.();
    },
  };
}

/** A keys file with a `gateway` section, read, validated and resolved. */
export interface LoadedGatewayFile {
  config: GatewayConfig;
  keys: ResolvedKeys;
  warnings: KeystoreWarning[];
}

/** Options of `loadGatewayFile` and `serveGatewayFile`. */
export interface GatewayFileOptions {
  /** Where `env:` and `vault:` references are resolved. Default: the environment and the default vault. */
  sources?: SecretSource[];
  /** Overrides of the file's `gateway.host` / `gateway.port`. */
  host?: string;
  port?: number;
  /**
   * Turn on the dashboard / metrics mounts (`true`: at the file's path, else `/dashboard` and `/metrics`; a string:
   * at that path), keeping the file's `virtualKeys` restriction. Checked as `gateway.dashboard` / `gateway.metrics`.
   */
  dashboard?: boolean | string;
  metrics?: boolean | string;
  /** Extra key-pool options for every pool (tests: `windowMs`). */
  pool?: Partial<Omit<KeyPoolOptions<unknown>, 'adapter' | 'keys'>>;
}

/** A mount's value in the `gateway` section with a command-line override applied (see `dashboard` / `metrics`). */
function withMount(value: unknown, override: boolean | string | undefined): unknown {
  if (override === undefined) return value;
  if (override === false) return false;
  const existing = typeof value === 'object' && value !== null ? value : {};
  return override === true ? existing : { ...existing, path: override };
}

function withMounts(section: unknown, options: GatewayFileOptions): unknown {
  if (options.dashboard === undefined && options.metrics === undefined) return section;
  const base = typeof section === 'object' && section !== null ? (section as Record<string, unknown>) : {};
  return {
    ...base,
    ...(options.dashboard !== undefined ? { dashboard: withMount(base.dashboard, options.dashboard) } : {}),
    ...(options.metrics !== undefined ? { metrics: withMount(base.metrics, options.metrics) } : {}),
  };
}

/**
 * Reads a keys file (`keypool.yaml` / `.json`) whose `gateway` section configures the gateway: the rest is an
 * ordinary keys file (providers, chains), validated and resolved by `@keypool/keystore`; the `gateway` section by
 * `parseGatewayConfig`. Every problem names the file and its path.
 */
export async function loadGatewayFile(
  path: string,
  options: GatewayFileOptions = {},
): Promise<LoadedGatewayFile> {
  const text = await readFile(path, 'utf8');
  const yaml = /\.ya?ml$/i.test(path);
  let data: unknown;
  try {
    data = yaml ? parseYaml(text) : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    // Let the keystore report the syntax error with its line and column (and never the text itself).
    parseKeysFile(text, { file: path, format: yaml ? 'yaml' : 'json' });
    throw new Error(`${path}: not a keys file`);
  }
  const { gateway: section, ...rest } = data as Record<string, unknown>;
  const gateway = withMounts(section, options);
  const loaded = parseKeysFile(JSON.stringify(rest), { file: path, format: 'json' });
  // The gateway section is checked before any secret is resolved: a typo fails fast, without a vault prompt.
  const config = parseGatewayConfig(gateway, Object.keys(loaded.data.chains ?? {}));
  const unsupported = unsupportedProviderIssues(loaded.data);
  if (unsupported.length > 0) throw new ConfigError(`gateway config (${path})`, unsupported);
  const keys = await resolveKeysFile(loaded, options.sources ? { sources: options.sources } : {});
  if (options.host !== undefined) config.host = options.host;
  if (options.port !== undefined) config.port = options.port;
  return { config, keys, warnings: keys.warnings };
}

/**
 * Starts a gateway from a loaded file (see `loadGatewayFile`): builds each provider's pool (sharing state through
 * Redis when `gateway.redis` is set, and the virtual keys' budgets with it), the chains, the dashboard and metrics
 * when `gateway.dashboard` / `gateway.metrics` enable them (before `options.mount`), and the HTTP server.
 */
export async function serveGateway(
  loaded: LoadedGatewayFile,
  options: Pick<GatewayFileOptions, 'pool'> & Pick<GatewayOptions, 'mount'> = {},
): Promise<Gateway> {
  const { config, keys } = loaded;
  const redis = config.redis;
  const pools = await createGatewayPools({
    keys: keys.keys,
    poolOptions: keys.pools,
    chains: keys.chains,
    upstreams: config.upstreams,
    deadlineMs: config.deadlineMs,
    attemptTimeoutMs: config.attemptTimeoutMs,
    // One Redis Cluster hash tag per provider's pool, so a cluster spreads the pools over its shards (a prefix that
    // already holds a `{tag}` keeps it: every pool then shares that slot, as the user asked).
    ...(redis
      ? {
          store: (provider: string) =>
            createRedisStore({
              redis: redis.url,
              prefix: redis.prefix,
              ...(/[{}]/.test(redis.prefix) ? {} : { hashTag: provider }),
            }),
        }
      : {}),
    ...(options.pool ? { pool: options.pool } : {}),
  });
  const windowMs = options.pool?.windowMs;
  const budget = redis ? new RedisVirtualKeyBudget(redis.url, redis.prefix, windowMs) : undefined;
  const board = createGatewayDashboard(config, pools);
  const mount = combineMounts(board, options.mount);
  try {
    return await startGateway({
      config,
      pools,
      ...(budget ? { budget } : {}),
      ...(mount ? { mount } : {}),
    });
  } catch (error) {
    await board?.close?.();
    await budget?.close();
    await pools.close();
    throw error;
  }
}

/** `loadGatewayFile` then `serveGateway`: a running gateway from one keys file. */
export async function serveGatewayFile(
  path: string,
  options: GatewayFileOptions = {},
): Promise<{ gateway: Gateway; warnings: KeystoreWarning[] }> {
  const loaded = await loadGatewayFile(path, options);
  return { gateway: await serveGateway(loaded, options), warnings: loaded.warnings };
}
