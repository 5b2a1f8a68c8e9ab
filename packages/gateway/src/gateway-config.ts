import { ConfigError, type ConfigIssue } from '@keypool/core';
import type { ProviderId } from '@keypool/keystore';
import { z } from 'zod';
import { GATEWAY_PROVIDERS, gatewayProviderMessage, isGatewayProvider } from './gateway-providers';

/** Where a model name sent by a client goes: a provider's model, or a named fallback chain of the keys file. */
export type ModelTarget =
  | { kind: 'provider'; provider: ProviderId; model: string }
  | { kind: 'chain'; chain: string };

/** One virtual key: what a client sends instead of a provider secret. Only its SHA-256 is kept. */
export interface VirtualKeyConfig {
  /** A name for the key, shown in events and errors (never the key). */
  id: string;
  /** `sha256:<64 hex>` of the key (see `hashVirtualKey`). */
  hash: string;
  /** The model names (as clients send them) this key may use; all when absent. */
  models?: string[];
  /** Requests per minute this key may make through the gateway. */
  rpm?: number;
  /** Tokens per minute (estimated before the call, settled with the real usage after it). */
  tpm?: number;
}

/** A read-only page or document mounted on the gateway's server (the dashboard, `/metrics`). */
export interface MountConfig {
  /** Where it is served, e.g. `/dashboard` or `/metrics` (no trailing slash). */
  path: string;
  /** The virtual key ids that may read it; every virtual key when absent. */
  virtualKeys?: string[];
}

/** The `gateway` section of a keys file, validated, with defaults filled in. */
export interface GatewayConfig {
  /** Interface to listen on. Default `127.0.0.1` (loopback only). */
  host: string;
  /** TCP port; 0 picks a free one. Default 8787. */
  port: number;
  /** Each provider's upstream base URL (e.g. the emulator's); the SDK's default when absent. */
  upstreams: Partial<Record<ProviderId, string>>;
  /** Model names clients may send, each mapped to a provider model or a chain. */
  models: Record<string, ModelTarget>;
  /** Client keys. Without any, the gateway takes no key (only allowed on a loopback host). */
  virtualKeys: VirtualKeyConfig[];
  /** Share pool state (and virtual-key budgets) with other gateway processes through this Redis. */
  redis?: { url: string; prefix: string };
  /** A whole call's deadline, ms. Default 60,000. */
  deadlineMs: number;
  /** One upstream attempt's timeout, ms (for streams: until the first chunk). Default 30,000. */
  attemptTimeoutMs: number;
  /** How long `close()` waits for in-flight requests and streams before cutting them. Default 10,000. */
  drainTimeoutMs: number;
  /** The live dashboard (page, `status`, `events`) under a path (`/dashboard` when `true`); off when absent. */
  dashboard?: MountConfig;
  /** Prometheus metrics of the pools and chains at a path (`/metrics` when `true`); off when absent. */
  metrics?: MountConfig;
}

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

const modelTargetSchema = z
  .union(
    [
      z.string().regex(/^(chain:\S+|[^/\s]+\/\S+)$/, {
        error: `must be "chain:<name>" or "<provider>/<model>" (provider: ${GATEWAY_PROVIDERS.join(', ')})`,
      }),
      z.strictObject({
        provider: z.string({ error: `must be one of ${GATEWAY_PROVIDERS.join(', ')}` }),
        model: z.string().min(1, { error: 'must not be empty' }),
      }),
    ],
    { error: 'must be "chain:<name>", "<provider>/<model>" or { provider, model }' },
  )
  .superRefine((value, context) => {
    // The provider is checked here, after the shape, so a preset or a typo gets its own message.
    // It also runs when the shape is wrong (then there is nothing more to say).
    const loose = value as unknown;
    const provider =
      typeof loose === 'string'
        ? /^[^/\s:]+\/\S+$/.test(loose)
          ? loose.split('/')[0]
          : undefined
        : typeof (loose as { provider?: unknown } | null)?.provider === 'string'
          ? (loose as { provider: string }).provider
          : undefined;
    if (provider !== undefined && !isGatewayProvider(provider))
      context.addIssue({
        code: 'custom',
        path: typeof value === 'string' ? [] : ['provider'],
        message: gatewayProviderMessage(provider),
      });
  });

const nonNegative = z
  .number({ error: 'must be a non-negative number' })
  .nonnegative({ error: 'must be a non-negative number' });
const positiveMs = z.number({ error: 'must be a positive number of ms' }).positive({ error: 'must be > 0' });

const virtualKeySchema = z.strictObject({
  id: z.string({ error: 'is required' }).regex(/^\S(.*\S)?$/, { error: 'must not be empty' }),
  hash: z
    .string({ error: 'is required ("sha256:<hex>", see `keypool serve --hash-key`)' })
    .regex(HASH_PATTERN, {
      error: 'must be "sha256:" and 64 lower-case hex digits (the key itself is never stored)',
    }),
  models: z.array(z.string().min(1), { error: 'must be a list of model names' }).optional(),
  rpm: nonNegative.optional(),
  tpm: nonNegative.optional(),
});

const RESERVED_PATHS = ['/v1', '/healthz', '/readyz'];

const mountSchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      path: z
        .string({ error: 'must be a path' })
        .regex(/^\/[A-Za-z0-9._~\-/]*$/, {
          error: 'must be a path starting with "/" (letters, digits, . _ ~ - /)',
        })
        .refine((path) => path.replace(/\/+$/, '') !== '', { error: 'must not be "/"' })
        .refine((path) => !RESERVED_PATHS.some((taken) => path === taken || path.startsWith(`${taken}/`)), {
          error: `must not be under ${RESERVED_PATHS.join(', ')} (the gateway's own routes)`,
        })
        .optional(),
      virtualKeys: z.array(z.string().min(1), { error: 'must be a list of virtual key ids' }).optional(),
    }),
  ],
  { error: 'must be true, false or { path?, virtualKeys? }' },
);

/** The zod schema of the `gateway` section. */
export const gatewaySectionSchema = z.strictObject({
  host: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  port: z
    .number({ error: 'must be a port number' })
    .int({ error: 'must be an integer' })
    .min(0, { error: 'must be 0..65535' })
    .max(65535, { error: 'must be 0..65535' })
    .optional(),
  upstreams: z
    .record(z.string(), z.url({ error: 'must be a URL' }), {
      error: `must map ${GATEWAY_PROVIDERS.join(', ')} to base URLs`,
    })
    .superRefine((upstreams, context) => {
      for (const provider of Object.keys(upstreams))
        if (!isGatewayProvider(provider))
          context.addIssue({ code: 'custom', path: [provider], message: gatewayProviderMessage(provider) });
    })
    .optional(),
  models: z
    .record(z.string().min(1), modelTargetSchema, { error: 'must be an object of model names' })
    .optional(),
  virtualKeys: z.array(virtualKeySchema, { error: 'must be a list of virtual keys' }).optional(),
  redis: z
    .strictObject({
      url: z.string({ error: 'is required' }).regex(/^rediss?:\/\//, { error: 'must be a redis:// URL' }),
      prefix: z.string().min(1).optional(),
    })
    .optional(),
  deadlineMs: positiveMs.optional(),
  attemptTimeoutMs: positiveMs.optional(),
  drainTimeoutMs: nonNegative.optional(),
  dashboard: mountSchema.optional(),
  metrics: mountSchema.optional(),
});

/** The `gateway` section as written in a keys file. */
export type GatewaySection = z.input<typeof gatewaySectionSchema>;

function pathOf(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

function toTarget(value: z.output<typeof modelTargetSchema>): ModelTarget {
  if (typeof value !== 'string')
    return { kind: 'provider', provider: value.provider as ProviderId, model: value.model };
  if (value.startsWith('chain:')) return { kind: 'chain', chain: value.slice('chain:'.length) };
  const slash = value.indexOf('/');
  return { kind: 'provider', provider: value.slice(0, slash) as ProviderId, model: value.slice(slash + 1) };
}

/** A `dashboard` / `metrics` value as a mount (or undefined when off); unknown virtual key ids become issues. */
function toMount(
  value: z.output<typeof mountSchema> | undefined,
  defaultPath: string,
  base: string,
  keyIds: ReadonlySet<string>,
  issues: ConfigIssue[],
): MountConfig | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { path: defaultPath };
  (value.virtualKeys ?? []).forEach((id, index) => {
    if (!keyIds.has(id))
      issues.push({ path: `${base}.virtualKeys[${index}]`, message: `no virtual key with id "${id}"` });
  });
  return {
    path: (value.path ?? defaultPath).replace(/\/+$/, ''),
    ...(value.virtualKeys ? { virtualKeys: [...value.virtualKeys] } : {}),
  };
}

/**
 * Validates the `gateway` section of a keys file and fills in its defaults. `chains` are the chain names the file
 * defines, so a model mapped to an unknown chain is reported here rather than at the first request.
 *
 * @throws {ConfigError} naming every problem by its path, e.g. `gateway.virtualKeys[0].hash: must be ...`.
 */
export function parseGatewayConfig(section: unknown, chains: readonly string[] = []): GatewayConfig {
  const parsed = gatewaySectionSchema.safeParse(section ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      'gateway config',
      parsed.error.issues.map((issue) => ({
        path: pathOf('gateway', issue.path),
        message:
          issue.code === 'unrecognized_keys'
            ? `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => `"${key}"`).join(', ')}`
            : issue.message,
      })),
    );
  }
  const data = parsed.data;
  const issues: ConfigIssue[] = [];
  const models: Record<string, ModelTarget> = {};
  for (const [name, value] of Object.entries(data.models ?? {})) {
    const target = toTarget(value);
    if (target.kind === 'chain' && !chains.includes(target.chain)) {
      issues.push({ path: `gateway.models.${name}`, message: `no chain named "${target.chain}" in chains` });
    }
    models[name] = target;
  }
  const seen = new Set<string>();
  (data.virtualKeys ?? []).forEach((key, index) => {
    if (seen.has(key.id))
      issues.push({ path: `gateway.virtualKeys[${index}].id`, message: `duplicate id "${key.id}"` });
    seen.add(key.id);
  });
  const host = data.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host) && (data.virtualKeys ?? []).length === 0) {
    issues.push({
      path: 'gateway.host',
      message: `listening on ${host} (not loopback) needs virtualKeys, so that not anyone can spend the keys`,
    });
  }
  const dashboard = toMount(data.dashboard, '/dashboard', 'gateway.dashboard', seen, issues);
  const metrics = toMount(data.metrics, '/metrics', 'gateway.metrics', seen, issues);
  if (
    dashboard &&
    metrics &&
    (metrics.path === dashboard.path || metrics.path.startsWith(`${dashboard.path}/`))
  ) {
    issues.push({ path: 'gateway.metrics.path', message: `must not be under gateway.dashboard.path` });
  }
  if (issues.length > 0) throw new ConfigError('gateway config', issues);
  return {
    host,
    port: data.port ?? 8787,
    upstreams: { ...data.upstreams },
    models,
    virtualKeys: (data.virtualKeys ?? []).map((key) => ({ ...key })),
    ...(data.redis ? { redis: { url: data.redis.url, prefix: data.redis.prefix ?? 'keypool' } } : {}),
    deadlineMs: data.deadlineMs ?? 60_000,
    attemptTimeoutMs: data.attemptTimeoutMs ?? 30_000,
    drainTimeoutMs: data.drainTimeoutMs ?? 10_000,
    ...(dashboard ? { dashboard } : {}),
    ...(metrics ? { metrics } : {}),
  };
}
