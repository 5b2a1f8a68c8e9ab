import {
  createFailureHistory,
  createHealthMonitor,
  eventTime,
  type FailureHistory,
  type HealthAlert,
  type HealthMonitor,
  type HealthRules,
  observe,
  RingBuffer,
} from '@keypool/core';
import type { DashboardChain, DashboardPool } from './dashboard-sources';
import { LabelledCounter, LabelledHistogram } from './prometheus-text';
import { TimeSeries } from './time-series';

/** A live event as `/events` sends it: the pool's or chain's event, with where it came from. */
export interface DashboardEvent {
  type: string;
  /** `pool`, `chain` or `health`. */
  source: 'pool' | 'chain' | 'health';
  /** The pool's or chain's name. */
  name?: string;
  at: number;
  [field: string]: unknown;
}

/** An alert as the dashboard lists it: raised, or resolved. */
export type AlertLogEntry =
  | (HealthAlert & { state: 'raised' })
  | (HealthAlert & { state: 'resolved'; resolvedAt: number });

/** What the collector needs to know. */
export interface CollectorOptions {
  pools: readonly { name: string; pool: DashboardPool }[];
  chains: readonly { name: string; chain: DashboardChain }[];
  monitor: HealthMonitor | HealthRules | false | undefined;
  historySize: number;
  bucketMs: number;
  points: number;
  now: () => number;
}

const LATENCY_BOUNDS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Listens to every pool, chain and the health monitor, and keeps what the dashboard shows besides snapshots: each
 * key's failure history, the charts' time series, Prometheus counters, the alert log, and the live event fan-out.
 */
export class DashboardCollector {
  readonly pools: readonly { name: string; pool: DashboardPool; history: FailureHistory | undefined }[];
  readonly chains: readonly { name: string; chain: DashboardChain }[];
  readonly monitor: HealthMonitor | undefined;
  readonly series: TimeSeries;
  readonly attempts = new LabelledCounter();
  readonly failures = new LabelledCounter();
  readonly rateLimited = new LabelledCounter();
  readonly cooldowns = new LabelledCounter();
  readonly tokens = new LabelledCounter();
  readonly fallbacks = new LabelledCounter();
  readonly latency = new LabelledHistogram(LATENCY_BOUNDS_SECONDS);
  readonly alertLog = new RingBuffer<AlertLogEntry>(100);
  readonly startedAt: number;
  private readonly listeners = new Set<(event: DashboardEvent) => void>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly ownsMonitor: boolean;
  private readonly now: () => number;

  constructor(options: CollectorOptions) {
    this.now = options.now;
    this.startedAt = options.now();
    this.series = new TimeSeries(options.bucketMs, options.points);
    this.pools = options.pools.map(({ name, pool }) => ({
      name,
      pool,
      history: pool.onAny
        ? createFailureHistory(
            { onAny: pool.onAny.bind(pool) },
            { size: options.historySize, now: options.now },
          )
        : undefined,
    }));
    this.chains = options.chains;
    const monitorOption = options.monitor;
    const live = this.pools.filter((entry) => entry.pool.onAny);
    if (monitorOption === false || live.length === 0) {
      this.monitor = undefined;
      this.ownsMonitor = false;
    } else if (monitorOption && 'alerts' in monitorOption) {
      this.monitor = monitorOption as HealthMonitor;
      this.ownsMonitor = false;
    } else {
      this.monitor = createHealthMonitor(
        live.map(({ pool }) => ({
          provider: pool.provider,
          snapshot: () => pool.snapshot(),
          onAny: pool.onAny!.bind(pool),
        })),
        (monitorOption as HealthRules | undefined) ?? {},
        { now: options.now },
      );
      this.ownsMonitor = true;
    }
    for (const { name, pool } of this.pools) {
      this.series.touch(name);
      if (pool.onAny)
        this.unsubscribes.push(pool.onAny((event) => this.onPoolEvent(name, pool.provider, event)));
    }
    for (const { name, chain } of this.chains)
      if (chain.onAny) this.unsubscribes.push(chain.onAny((event) => this.onChainEvent(name, event)));
    if (this.monitor)
      this.unsubscribes.push(
        this.monitor.onAny((event) => {
          const at = event.type === 'alert.resolved' ? event.resolvedAt : event.since;
          if (event.type === 'alert.raised') this.alertLog.push({ ...event, state: 'raised' });
          else this.alertLog.push({ ...event, state: 'resolved' });
          this.broadcast({ ...event, source: 'health', at });
        }),
      );
  }

  /** Listens to every live event. Returns the function that stops it. */
  subscribe(listener: (event: DashboardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many live listeners there are (open `/events` streams). */
  get subscribers(): number {
    return this.listeners.size;
  }

  private broadcast(event: DashboardEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken stream must not stop the others.
      }
    }
  }

  private onPoolEvent(name: string, provider: string, raw: { type: string }): void {
    const event = observe(raw as never);
    const at = eventTime(event, this.now);
    const key = event.keyId ?? '';
    const model = event.model ?? '';
    if (event.type === 'request.success') {
      this.attempts.add({ pool: name, provider, key, model, outcome: 'success' });
      this.series.record(name, at, {
        ok: true,
        ...(event.latencyMs !== undefined ? { latencyMs: event.latencyMs } : {}),
      });
      if (event.latencyMs !== undefined)
        this.latency.observe({ pool: name, provider, model }, event.latencyMs / 1_000);
      const total =
        event.usage?.totalTokens ??
        (event.usage ? (event.usage.inputTokens ?? 0) + (event.usage.outputTokens ?? 0) : undefined);
      if (total) this.tokens.add({ pool: name, provider, key, model }, total);
    } else if (event.type === 'request.failure') {
      const category = String(event.category ?? 'server');
      const rateLimited = category === 'rate_limit' || event.status === 429;
      this.attempts.add({ pool: name, provider, key, model, outcome: 'failure' });
      this.failures.add({ pool: name, provider, key, model, category });
      if (rateLimited) this.rateLimited.add({ pool: name, provider, key, model });
      this.series.record(name, at, { ok: false, rateLimited });
    } else if (event.type === 'key.cooldown') {
      this.cooldowns.add({ pool: name, provider, key, category: String(event.category ?? '') });
    }
    this.broadcast({ ...(raw as Record<string, unknown>), type: event.type, source: 'pool', name, at });
  }

  private onChainEvent(name: string, raw: { type: string }): void {
    const event = raw as { type: string; from?: { name: string }; to?: { name: string }; reason?: string };
    if (event.type === 'fallback.step')
      this.fallbacks.add({
        chain: name,
        from: event.from?.name ?? '',
        to: event.to?.name ?? '',
        reason: event.reason ?? '',
      });
    this.broadcast({
      ...(raw as Record<string, unknown>),
      type: raw.type,
      source: 'chain',
      name,
      at: this.now(),
    });
  }

  /** Stops listening everywhere (and stops the monitor the collector made). */
  close(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    for (const { history } of this.pools) history?.close();
    if (this.ownsMonitor) this.monitor?.close();
    this.listeners.clear();
  }
}
