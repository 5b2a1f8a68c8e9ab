import { createDashboard } from '@keypool/dashboard';
import type { GatewayConfig, MountConfig } from './gateway-config';
import type { GatewayPools } from './gateway-pools';
import type { MountContext, MountedHandler } from './web-handler';

function forbidden(path: string): Response {
  const body = {
    error: {
      message: `this virtual key may not read ${path}`,
      type: 'permission_error',
      code: 'forbidden',
      param: null,
    },
  };
  return new Response(JSON.stringify(body), {
    status: 403,
    headers: { 'content-type': 'application/json' },
  });
}

function allowed(mount: MountConfig, context: MountContext): boolean {
  return (
    mount.virtualKeys === undefined ||
    (context.virtualKey !== undefined && mount.virtualKeys.includes(context.virtualKey))
  );
}

/**
 * The Keypool dashboard (`@keypool/dashboard`) over a gateway's pools and chains, as a handler to mount on the
 * gateway's server: the page, `status` and `events` under `config.dashboard.path` (e.g. `/dashboard/`,
 * `/dashboard/status`) and the Prometheus text at `config.metrics.path`. Only the virtual keys a mount lists may read
 * it (403 for the others). Undefined when neither is enabled. `close()` ends the open event streams.
 */
export function createGatewayDashboard(
  config: Pick<GatewayConfig, 'dashboard' | 'metrics'>,
  pools: Pick<GatewayPools, 'pools' | 'chains'>,
): MountedHandler | undefined {
  const { dashboard, metrics } = config;
  if (dashboard === undefined && metrics === undefined) return undefined;
  const board = createDashboard({
    pools: Object.entries(pools.pools).map(([name, pool]) => ({ name, source: pool })),
    chains: Object.entries(pools.chains).map(([name, chain]) => ({ name: `chain:${name}`, source: chain })),
    title: 'Keypool gateway',
  });
  return {
    fetch(request, context) {
      const url = new URL(request.url);
      const path = url.pathname;
      if (metrics && path === metrics.path) {
        if (!allowed(metrics, context)) return forbidden(path);
        // The dashboard serves by the last path segment: any configured path becomes its `metrics`.
        return board.fetch(
          new Request(new URL(`/metrics${url.search}`, url), {
            method: request.method,
            headers: request.headers,
            signal: request.signal,
          }),
        );
      }
      if (dashboard && (path === dashboard.path || path.startsWith(`${dashboard.path}/`))) {
        if (!allowed(dashboard, context)) return forbidden(path);
        return board.fetch(request);
      }
      return undefined;
    },
    close: () => board.close(),
  };
}
