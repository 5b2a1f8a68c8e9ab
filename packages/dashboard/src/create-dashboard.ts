import { ConfigError, type ConfigIssue, type HealthMonitor, type HealthRules } from '@keypool/core';
import { DashboardCollector } from './dashboard-collector';
import { dashboardPage } from './dashboard-page';
import type { DashboardChain, DashboardPool, Named } from './dashboard-sources';
import { eventStreamResponse } from './event-stream';
import { metricsDocument } from './metrics-document';
import { type StatusDocument, statusDocument } from './status-document';

/** Options of `createDashboard`. */
export interface DashboardOptions {
  /** The pools to show (any `KeyPool`), or `{ name, source }` to name them. */
  pools: readonly (DashboardPool | Named<DashboardPool>)[];
  /** Fallback chains to show (`FallbackChain`), or `{ name, source }`. */
  chains?: readonly (DashboardChain | Named<DashboardChain>)[];
  /**
   * The health monitor whose alerts to show; or its rules, for a monitor the dashboard runs (and stops on
   * `close`); or `false` for none. Default: a monitor with the default rules.
   */
  monitor?: HealthMonitor | HealthRules | false;
  /** When set, every request must carry it: `Authorization: Bearer <token>` or `?token=<token>`. */
  token?: string;
  /** The page's title. Default "Keypool". */
  title?: string;
  /** Failures kept per key for the page's history. Default 20. */
  historySize?: number;
  /** Width of a chart bucket. Default 5 s. */
  bucketMs?: number;
  /** How far back the charts go. Default 10 minutes. */
  chartMs?: number;
  /** With a shared store: read every key's state from it (`pool.refresh()`) at most this often. Default 1 s. */
  refreshMs?: number;
  /** Most `/events` streams open at once. Default 100. */
  maxEventStreams?: number;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/** A running dashboard: mount `fetch` wherever a Web `(Request) => Response` handler fits. */
export interface Dashboard {
  /** Answers `GET /`, `/status`, `/metrics`, `/events` (the last path segment decides, so any prefix works). */
  fetch(request: Request): Promise<Response>;
  /** The `/status` document now (what the page and `keypool status --url` read). */
  status(): Promise<StatusDocument>;
  /** Stops listening to the pools, ends every open event stream and stops the monitor it made. */
  close(): void;
}

function named<T>(entries: readonly (T | Named<T>)[], fallback: (source: T, index: number) => string) {
  const used = new Map<string, number>();
  return entries.map((entry, index) => {
    const isNamed = typeof entry === 'object' && entry !== null && 'source' in entry && 'name' in entry;
    const source = isNamed ? (entry as Named<T>).source : (entry as T);
    let name = isNamed ? (entry as Named<T>).name : fallback(source, index);
    const seen = (used.get(name) ?? 0) + 1;
    used.set(name, seen);
    if (seen > 1) name = `${name}#${seen}`;
    return { name, source };
  });
}

/** Compares a given token with the expected one in time that does not depend on where they differ. */
function sameText(given: string, expected: string): boolean {
  let difference = given.length ^ expected.length;
  for (let index = 0; index < expected.length; index++)
    difference |= (given.charCodeAt(index) || 0) ^ expected.charCodeAt(index);
  return difference === 0;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/**
 * Builds the status service and live dashboard for pools and chains, as one Web-standard handler: `/status` (JSON
 * of every key, chain, alert, failure history and chart series), `/metrics` (Prometheus text), `/events`
 * (Server-Sent Events of the live events) and `/` (a self-contained page: no build step, no network beyond this
 * handler). Read-only: anything but GET and HEAD gets 405. Keys appear by id and masked form only.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const issues: ConfigIssue[] = [];
  if (!Array.isArray(options?.pools) || options.pools.length === 0)
    issues.push({ path: 'pools', message: 'expected at least one pool' });
  else
    options.pools.forEach((pool, index) => {
      const source = (pool as Named<DashboardPool>).source ?? pool;
      if (typeof (source as DashboardPool)?.snapshot !== 'function')
        issues.push({ path: `pools[${index}]`, message: 'expected a pool (an object with snapshot())' });
    });
  for (const field of ['historySize', 'bucketMs', 'chartMs', 'refreshMs', 'maxEventStreams'] as const) {
    const value = options?.[field];
    if (value !== undefined && (!Number.isInteger(value) || value < (field === 'refreshMs' ? 0 : 1)))
      issues.push({ path: field, message: `expected a positive integer, got ${String(value)}` });
  }
  if (options?.token !== undefined && (typeof options.token !== 'string' || options.token.length < 8))
    issues.push({ path: 'token', message: 'expected a string of at least 8 characters' });
  if (issues.length > 0) throw new ConfigError('dashboard options', issues);

  const now = options.now ?? Date.now;
  const bucketMs = options.bucketMs ?? 5_000;
  const collector = new DashboardCollector({
    pools: named(options.pools, (pool) => pool.provider).map(({ name, source }) => ({ name, pool: source })),
    chains: named(options.chains ?? [], (_chain, index) =>
      index === 0 ? 'chain' : `chain-${index + 1}`,
    ).map(({ name, source }) => ({ name, chain: source })),
    monitor: options.monitor,
    historySize: options.historySize ?? 20,
    bucketMs,
    points: Math.max(2, Math.ceil((options.chartMs ?? 600_000) / bucketMs)),
    now,
  });
  const title = options.title ?? 'Keypool';
  const refreshMs = options.refreshMs ?? 1_000;
  const closing = new Set<() => void>();
  let lastRefresh = 0;
  let refreshing: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    if (now() - lastRefresh < refreshMs) return refreshing;
    lastRefresh = now();
    refreshing = Promise.all(collector.pools.map(({ pool }) => pool.refresh?.().catch(() => undefined))).then(
      () => undefined,
    );
    return refreshing;
  }

  async function status(): Promise<StatusDocument> {
    await refresh();
    return statusDocument(collector, title, now());
  }

  async function fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response('the dashboard is read-only\n', { status: 405, headers: { allow: 'GET, HEAD' } });
    if (options.token !== undefined) {
      const header = request.headers.get('authorization') ?? '';
      const given = header.toLowerCase().startsWith('bearer ')
        ? header.slice(7).trim()
        : (url.searchParams.get('token') ?? '');
      if (!sameText(given, options.token))
        return new Response('a token is required (Authorization: Bearer <token> or ?token=<token>)\n', {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="keypool"' },
        });
    }
    const segment = url.pathname.replace(/\/+$/, '').split('/').pop() ?? '';
    switch (segment) {
      case 'status':
        return new Response(JSON.stringify(await status()), { headers: JSON_HEADERS });
      case 'metrics':
        return new Response(metricsDocument(collector, await status()), {
          headers: {
            'content-type': 'text/plain; version=0.0.4; charset=utf-8',
            'cache-control': 'no-store',
          },
        });
      case 'events':
        return eventStreamResponse(
          collector,
          request.signal,
          { heartbeatMs: 15_000, maxStreams: options.maxEventStreams ?? 100 },
          closing,
        );
      default:
        if (url.pathname.endsWith('/') || segment === '' || segment === 'index.html')
          return new Response(dashboardPage(title), {
            headers: {
              'content-type': 'text/html; charset=utf-8',
              'cache-control': 'no-store',
              'content-security-policy':
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
              'x-content-type-options': 'nosniff',
              'referrer-policy': 'no-referrer',
            },
          });
        // `/keypool` without its slash: the page's relative links need it.
        if (!url.pathname.endsWith('/') && !segment.includes('.'))
          return new Response(null, { status: 308, headers: { location: `${url.pathname}/${url.search}` } });
        return new Response('not found\n', { status: 404 });
    }
  }

  return {
    fetch,
    status,
    close() {
      for (const finish of [...closing]) finish();
      collector.close();
    },
  };
}
