import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TypedEmitter } from '@keypool/core';
import { type ApiDialect, GatewayError } from './api-error';
import type { GatewayConfig, VirtualKeyConfig } from './gateway-config';
import type { GatewayEventName, GatewayEvents, GatewayRequestEvent } from './gateway-events';
import type { GatewayPools } from './gateway-pools';
import { presentedKey, sendError, sendJson } from './http-io';
import { ModelRouter } from './model-router';
import { routeCall } from './route-call';
import { MemoryVirtualKeyBudget, type VirtualKeyBudget } from './virtual-key-budget';
import { VirtualKeys } from './virtual-keys';
import { type MountedHandler, serveWebHandler, type WebHandler } from './web-handler';

/** What `startGateway` serves. */
export interface GatewayOptions {
  /** The `gateway` section (see `parseGatewayConfig`): host, port, models, virtual keys, timeouts. */
  config: GatewayConfig;
  /** The pools and chains to serve (see `createGatewayPools`). `close()` closes them. */
  pools: GatewayPools;
  /** The virtual keys' rpm/tpm budget. Default: in this process's memory. `close()` closes it. */
  budget?: VirtualKeyBudget;
  /**
   * A Web-standard handler for the paths the gateway does not serve itself (e.g. the dashboard's `/status`,
   * `/metrics`, `/events`). It is behind the same virtual keys as the model APIs when any are configured; for a GET
   * the key may also come as `?token=<virtual key>` (a browser opening the dashboard page sends no header). With a
   * `close`, the gateway calls it when it starts draining, so open event streams end instead of holding the drain.
   */
  mount?: WebHandler | MountedHandler;
}

/** A running gateway. */
export interface Gateway {
  /** `http://host:port`: the Anthropic SDKs' base URL; OpenAI SDKs take `${url}/v1`. */
  readonly url: string;
  readonly port: number;
  /** Listens to one of the gateway's events; returns the unsubscribe function. */
  on<K extends GatewayEventName>(name: K, listener: (event: GatewayEvents[K]) => void): () => void;
  /** Requests and streams being served now. */
  inFlight(): number;
  /**
   * Graceful shutdown: stops taking connections, answers new requests 503, waits up to `drainTimeoutMs` for the
   * requests and streams in flight to finish, then cuts what is left and closes the pools and the budget.
   */
  close(): Promise<void>;
}

const ROUTES = new Set(['/v1/chat/completions', '/v1/embeddings', '/v1/responses', '/v1/messages']);

function dialectOf(request: IncomingMessage, path: string): ApiDialect {
  return path === '/v1/messages' || request.headers['anthropic-version'] !== undefined
    ? 'anthropic'
    : 'openai';
}

function listModels(
  router: ModelRouter,
  keys: VirtualKeys,
  key: VirtualKeyConfig | undefined,
  dialect: ApiDialect,
) {
  const names = router.names().filter((name) => keys.allows(key, name));
  if (dialect === 'anthropic') {
    return {
      data: names.map((id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' })),
      has_more: false,
      first_id: names[0] ?? null,
      last_id: names.at(-1) ?? null,
    };
  }
  return {
    object: 'list',
    data: names.map((id) => ({ id, object: 'model', created: 0, owned_by: router.ownerOf(id) })),
  };
}

/**
 * Starts the gateway on Node's HTTP server: the OpenAI-compatible API (`/v1/chat/completions`, `/v1/embeddings`,
 * `/v1/responses`, `/v1/models`) and the Anthropic Messages API (`/v1/messages`) over the given pools and chains,
 * plus `/healthz` and `/readyz`. Binds to the config's host (127.0.0.1 by default).
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, pools } = options;
  const events = new TypedEmitter<GatewayEvents>();
  const keys = new VirtualKeys(config.virtualKeys);
  const budget = options.budget ?? new MemoryVirtualKeyBudget();
  const router = new ModelRouter(config.models, pools.pools, pools.chains);
  const mount: MountedHandler | undefined =
    typeof options.mount === 'function' ? { fetch: options.mount } : options.mount;
  let draining = false;
  let active = 0;
  let idle: (() => void) | undefined;

  const finish = (event: GatewayRequestEvent) => {
    if (events.hasListeners('request')) events.emit('request', event);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const method = request.method ?? 'GET';
    const dialect = dialectOf(request, path);
    const controller = new AbortController();
    active++;
    response.once('close', () => {
      if (!response.writableFinished)
        controller.abort(new DOMException('The client went away.', 'AbortError'));
      active--;
      if (active === 0) idle?.();
    });
    const report: GatewayRequestEvent = {
      timestamp: Date.now(),
      method,
      path,
      status: 0,
      stream: false,
      durationMs: 0,
    };
    try {
      if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
      if (path === '/readyz') {
        return draining
          ? sendJson(response, 503, { status: 'draining' }, { connection: 'close' })
          : sendJson(response, 200, { status: 'ready' });
      }
      if (draining)
        throw new GatewayError('draining', 'the gateway is shutting down; retry on another instance');
      const key = keys.find(
        presentedKey(request) ??
          (mount && query >= 0 && method === 'GET' && !path.startsWith('/v1/')
            ? tokenParameter(url)
            : undefined),
      );
      if (key === undefined && !keys.open) {
        throw new GatewayError(
          'unauthorized',
          'Incorrect API key provided: use a virtual key of this gateway',
        );
      }
      if (key) report.virtualKey = key.id;
      if (path === '/v1/models') {
        if (method !== 'GET') throw new GatewayError('method_not_allowed', 'use GET /v1/models');
        return sendJson(response, 200, listModels(router, keys, key, dialect));
      }
      if (!ROUTES.has(path)) {
        const status =
          mount &&
          (await serveWebHandler(mount.fetch, request, response, controller.signal, {
            ...(key ? { virtualKey: key.id } : {}),
          }));
        if (status) {
          report.status = status;
          return;
        }
        throw new GatewayError('not_found', `no route for ${method} ${path}`);
      }
      if (method !== 'POST') throw new GatewayError('method_not_allowed', `use POST ${path}`);
      const outcome = await routeCall(path, request, response, {
        dialect,
        key,
        keys,
        budget,
        router,
        rateLimitParsers: pools.rateLimitParsers,
        signal: controller.signal,
        report,
      });
      report.status = outcome.status;
      if (outcome.keyId) report.keyId = outcome.keyId;
      if (outcome.error !== undefined) report.error = errorName(outcome.error);
    } catch (error) {
      report.status = controller.signal.aborted ? 499 : sendError(response, dialect, error);
      report.error = errorName(error);
    } finally {
      if (report.status === 0) report.status = response.statusCode;
      report.durationMs = performance.now() - started;
      finish(report);
    }
  }

  const server: Server = createServer({ requestTimeout: 0 }, (request, response) => {
    void handle(request, response);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  events.emit('listening', { url });

  let closing: Promise<void> | undefined;
  const close = async () => {
    draining = true;
    events.emit('draining', { inFlight: active });
    // A mount that fails to close must not stop the drain; its streams are cut with the rest at the end.
    await Promise.resolve()
      .then(() => mount?.close?.())
      .catch(() => undefined);
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, config.drainTimeoutMs);
        idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const cutStreams = active;
    server.closeAllConnections();
    await stopped;
    await budget.close();
    await pools.close();
    events.emit('closed', { cutStreams });
  };

  return {
    url,
    port,
    on: (name, listener) => events.on(name, listener),
    inFlight: () => active,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

/** The `token` query parameter of a request URL (how a browser presents a virtual key to a mounted page). */
function tokenParameter(url: string): string | undefined {
  return new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('token') ?? undefined;
}

function errorName(error: unknown): string {
  if (error instanceof GatewayError) return error.kind;
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    const category = (error as { category?: unknown }).category;
    return typeof category === 'string' ? `${error.code}:${category}` : error.code;
  }
  return 'error';
}
