import type { FailureRecord, HealthAlert, KeySnapshot } from '@keypool/core';
import type { AlertLogEntry, DashboardCollector } from './dashboard-collector';
import type { DashboardStepStatus } from './dashboard-sources';
import type { SeriesData } from './time-series';

/** One key in `/status`: its snapshot and its recent failures. */
export type StatusKey = KeySnapshot & { history: FailureRecord[] };

/** One pool in `/status`. */
export interface StatusPool {
  name: string;
  provider: string;
  keys: StatusKey[];
  /** Keys active or half-open now. */
  usable: number;
}

/** What `/status` answers: every pool and chain, alerts and the charts' series. Never a secret. */
export interface StatusDocument {
  title: string;
  /** The server's clock (epoch ms), so a page can count cooldowns down without trusting its own clock. */
  now: number;
  startedAt: number;
  pools: StatusPool[];
  chains: { name: string; steps: DashboardStepStatus[] }[];
  alerts: HealthAlert[];
  alertLog: AlertLogEntry[];
  series: SeriesData;
}

/** Builds the `/status` document from the pools' snapshots and what the collector kept. */
export function statusDocument(collector: DashboardCollector, title: string, now: number): StatusDocument {
  const pools = collector.pools.map(({ name, pool, history }) => {
    let snapshot: KeySnapshot[] = [];
    try {
      snapshot = pool.snapshot();
    } catch {
      // A pool that cannot answer shows no keys rather than breaking the page.
    }
    const keys = snapshot.map((key) => {
      // A snapshot that carries its own history (engine-side, shared through the store) wins over ours.
      const own = (key as KeySnapshot & { history?: FailureRecord[] }).history;
      return { ...key, history: Array.isArray(own) ? own : (history?.of(key.id) ?? []) };
    });
    return {
      name,
      provider: pool.provider,
      keys,
      usable: keys.filter((key) => key.status === 'active' || key.status === 'half_open').length,
    };
  });
  const chains = collector.chains.map(({ name, chain }) => {
    let steps: DashboardStepStatus[] = [];
    try {
      steps = chain.status();
    } catch {
      // As above.
    }
    return { name, steps };
  });
  return {
    title,
    now,
    startedAt: collector.startedAt,
    pools,
    chains,
    alerts: collector.monitor?.alerts() ?? [],
    alertLog: collector.alertLog.toArray().reverse(),
    series: collector.series.data(now),
  };
}
