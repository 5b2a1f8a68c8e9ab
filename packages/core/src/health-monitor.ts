import { type PoolEvent, TypedEmitter } from './events';
import { type HealthRuleName, type HealthRules, type HealthScope, resolveHealthRules } from './health-rules';
import type { KeySnapshot } from './key-snapshot';
import { eventTime, type ObservedEvent, observe } from './observed-event';
import { OutcomeWindow, quantile } from './outcome-window';

/** What the monitor watches: a pool's events and its snapshot (any `KeyPool` has both). */
export interface MonitoredPool {
  readonly provider: string;
  onAny(listener: (event: PoolEvent) => void): () => void;
  snapshot(): KeySnapshot[];
}

/** A raised alert. `id` names the rule and the subject, so a subject has at most one alert per rule. */
export interface HealthAlert {
  id: string;
  rule: HealthRuleName;
  scope: HealthScope;
  /** The pool's name (its provider, or `provider#2` for a second pool of the same provider). */
  pool: string;
  provider: string;
  keyId?: string;
  masked?: string;
  model?: string;
  /** What was measured (a count, a rate, ms, a fraction) and the threshold it crossed. */
  value: number;
  threshold: number;
  message: string;
  /** When it was raised (epoch ms). */
  since: number;
}

/** The monitor's events. */
export interface HealthEvents {
  /** A rule's condition became true for a subject. Fires once until it resolves. */
  'alert.raised': HealthAlert;
  /** The condition is over. */
  'alert.resolved': HealthAlert & { resolvedAt: number; durationMs: number };
}

/** Options of `createHealthMonitor`. */
export interface HealthMonitorOptions {
  /** How often time-based rules (windows ageing, cooldowns ending, capacity, quota) are re-evaluated. Default 1 s. */
  intervalMs?: number;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/** A running health monitor. */
export interface HealthMonitor {
  on<K extends keyof HealthEvents>(name: K, listener: (event: HealthEvents[K]) => void): () => void;
  onAny(listener: Parameters<TypedEmitter<HealthEvents>['onAny']>[0]): () => void;
  /** The alerts raised and not yet resolved, oldest first. */
  alerts(): HealthAlert[];
  /** Re-evaluates every rule now (the timer does this every `intervalMs`). */
  evaluate(): void;
  /** Stops the timer and stops listening to the pools. */
  close(): void;
}

interface Subject {
  scope: HealthScope;
  pool: string;
  provider: string;
  keyId?: string;
  masked?: string;
  model?: string;
}

const MAX_SUBJECTS = 50_000;

/**
 * Watches pools and raises typed alerts when a rule's condition holds, once per subject until it resolves:
 * consecutive failures, error rate and p95 latency over sliding windows (per key, model and pool, from the pools'
 * events), a disabled key, a pool short of usable keys and a learned budget about to run out (from `snapshot()`).
 * Runs on any runtime; the timer does not keep a Node process alive.
 */
export function createHealthMonitor(
  pools: MonitoredPool | readonly MonitoredPool[],
  rules: HealthRules = {},
  options: HealthMonitorOptions = {},
): HealthMonitor {
  const resolved = resolveHealthRules(rules);
  const now = options.now ?? Date.now;
  const emitter = new TypedEmitter<HealthEvents>();
  const active = new Map<string, HealthAlert>();
  const streaks = new Map<string, number>();
  const errorWindows = new Map<string, { subject: Subject; window: OutcomeWindow }>();
  const latencyWindows = new Map<string, { subject: Subject; window: OutcomeWindow }>();
  const list = Array.isArray(pools) ? (pools as readonly MonitoredPool[]) : [pools as MonitoredPool];
  const names = new Map<MonitoredPool, string>();
  const seen = new Map<string, number>();
  for (const pool of list) {
    const count = (seen.get(pool.provider) ?? 0) + 1;
    seen.set(pool.provider, count);
    names.set(pool, count === 1 ? pool.provider : `${pool.provider}#${count}`);
  }

  const subjectId = (subject: Subject) =>
    `${subject.scope}:${subject.pool}${subject.model !== undefined ? `:${subject.model}` : ''}${subject.keyId !== undefined ? `:${subject.keyId}` : ''}`;

  function setAlert(
    rule: HealthRuleName,
    subject: Subject,
    raised: boolean,
    at: number,
    measure: () => { value: number; threshold: number; message: string },
  ): void {
    const id = `${rule}:${subjectId(subject)}`;
    const current = active.get(id);
    if (raised && !current) {
      const alert: HealthAlert = { id, rule, ...subject, ...measure(), since: at };
      active.set(id, alert);
      emitter.emit('alert.raised', alert);
    } else if (!raised && current) {
      active.delete(id);
      emitter.emit('alert.resolved', {
        ...current,
        resolvedAt: at,
        durationMs: Math.max(0, at - current.since),
      });
    }
  }

  const describe = (subject: Subject) =>
    subject.scope === 'key'
      ? `${subject.pool} key ${subject.keyId}`
      : subject.scope === 'model'
        ? `${subject.pool} model ${subject.model}`
        : `${subject.pool} pool`;

  function subjectsOf(
    pool: string,
    provider: string,
    event: ObservedEvent,
    scopes: readonly HealthScope[],
  ): Subject[] {
    const out: Subject[] = [];
    for (const scope of scopes) {
      if (scope === 'key' && event.keyId !== undefined)
        out.push({
          scope,
          pool,
          provider,
          keyId: event.keyId,
          ...(event.masked ? { masked: event.masked } : {}),
        });
      else if (scope === 'model' && event.model !== undefined)
        out.push({ scope, pool, provider, model: event.model });
      else if (scope === 'pool') out.push({ scope, pool, provider });
    }
    return out;
  }

  function windowOf(
    windows: Map<string, { subject: Subject; window: OutcomeWindow }>,
    subject: Subject,
    lastCalls: number,
    windowMs: number,
  ): OutcomeWindow {
    const id = subjectId(subject);
    let entry = windows.get(id);
    if (!entry) {
      if (windows.size >= MAX_SUBJECTS) {
        const oldest = windows.keys().next().value;
        if (oldest !== undefined) windows.delete(oldest);
      }
      entry = { subject, window: new OutcomeWindow(lastCalls, windowMs) };
      windows.set(id, entry);
    }
    return entry.window;
  }

  function checkErrorRate(subject: Subject, window: OutcomeWindow, at: number): void {
    const rule = resolved.errorRate;
    if (!rule) return;
    const outcomes = window.outcomes(at);
    const failures = outcomes.filter((outcome) => !outcome.ok).length;
    const rate = outcomes.length === 0 ? 0 : failures / outcomes.length;
    setAlert('error_rate', subject, outcomes.length >= rule.minCalls && rate > rule.threshold, at, () => ({
      value: rate,
      threshold: rule.threshold,
      message: `${describe(subject)}: ${Math.round(rate * 100)}% of the last ${outcomes.length} calls failed (above ${Math.round(rule.threshold * 100)}%)`,
    }));
  }

  function checkLatency(subject: Subject, window: OutcomeWindow, at: number): void {
    const rule = resolved.latency;
    if (!rule) return;
    const latencies = window.outcomes(at).map((outcome) => outcome.latencyMs ?? 0);
    const p95 = quantile(latencies, 0.95) ?? 0;
    setAlert('latency', subject, latencies.length >= rule.minCalls && p95 > rule.p95Ms, at, () => ({
      value: p95,
      threshold: rule.p95Ms,
      message: `${describe(subject)}: p95 latency ${Math.round(p95)} ms over the last ${latencies.length} calls (above ${rule.p95Ms} ms)`,
    }));
  }

  function onOutcome(pool: string, provider: string, event: ObservedEvent, ok: boolean): void {
    const at = eventTime(event, now);
    const streakRule = resolved.consecutiveFailures;
    if (streakRule)
      for (const subject of subjectsOf(pool, provider, event, streakRule.scopes)) {
        const id = subjectId(subject);
        const streak = ok ? 0 : (streaks.get(id) ?? 0) + 1;
        if (streak === 0) streaks.delete(id);
        else if (streaks.size < MAX_SUBJECTS || streaks.has(id)) streaks.set(id, streak);
        setAlert('consecutive_failures', subject, streak >= streakRule.threshold, at, () => ({
          value: streak,
          threshold: streakRule.threshold,
          message: `${describe(subject)}: ${streak} failures in a row${event.category ? ` (last: ${event.category})` : ''}`,
        }));
      }
    const rateRule = resolved.errorRate;
    if (rateRule)
      for (const subject of subjectsOf(pool, provider, event, rateRule.scopes)) {
        const window = windowOf(errorWindows, subject, rateRule.lastCalls, rateRule.windowMs);
        window.push({ at, ok });
        checkErrorRate(subject, window, at);
      }
    const latencyRule = resolved.latency;
    if (latencyRule && ok && typeof event.latencyMs === 'number')
      for (const subject of subjectsOf(pool, provider, event, latencyRule.scopes)) {
        const window = windowOf(latencyWindows, subject, latencyRule.lastCalls, latencyRule.windowMs);
        window.push({ at, ok, latencyMs: event.latencyMs });
        checkLatency(subject, window, at);
      }
  }

  function checkSnapshot(pool: MonitoredPool, at: number): void {
    const name = names.get(pool) ?? pool.provider;
    const provider = pool.provider;
    let keys: KeySnapshot[];
    try {
      keys = pool.snapshot();
    } catch {
      return;
    }
    const present = new Set<string>();
    for (const key of keys) {
      present.add(key.id);
      const subject: Subject = { scope: 'key', pool: name, provider, keyId: key.id, masked: key.masked };
      if (resolved.keyDisabled)
        setAlert('key_disabled', subject, key.status === 'disabled', at, () => ({
          value: 1,
          threshold: 1,
          message: `${describe(subject)} is disabled${key.reason ? `: ${key.reason}` : ''}`,
        }));
      const quota = resolved.quota;
      if (quota) {
        let lowest: { kind: string; fraction: number; remaining: number; limit: number } | undefined;
        for (const kind of ['requests', 'tokens'] as const) {
          const budget = key.learned?.[kind];
          if (!budget?.limit || budget.remaining === undefined) continue;
          if (budget.resetAt !== undefined && budget.resetAt <= at) continue;
          const fraction = budget.remaining / budget.limit;
          if (!lowest || fraction < lowest.fraction)
            lowest = { kind, fraction, remaining: budget.remaining, limit: budget.limit };
        }
        setAlert(
          'quota',
          subject,
          lowest !== undefined && lowest.fraction < quota.minRemainingFraction,
          at,
          () => ({
            value: lowest?.fraction ?? 0,
            threshold: quota.minRemainingFraction,
            message: `${describe(subject)}: ${lowest?.remaining} of ${lowest?.limit} ${lowest?.kind} left before the reset`,
          }),
        );
      }
    }
    // A key removed from the pool takes its alerts with it.
    for (const alert of [...active.values()])
      if (
        alert.pool === name &&
        alert.scope === 'key' &&
        alert.keyId !== undefined &&
        !present.has(alert.keyId)
      )
        setAlert(alert.rule, alert, false, at, () => alert);
    const capacity = resolved.capacity;
    if (capacity && keys.length > 0) {
      const usable = keys.filter((key) => key.status === 'active' || key.status === 'half_open').length;
      const fraction = usable / keys.length;
      const subject: Subject = { scope: 'pool', pool: name, provider };
      setAlert('capacity', subject, fraction < capacity.minUsableFraction, at, () => ({
        value: fraction,
        threshold: capacity.minUsableFraction,
        message: `${describe(subject)}: ${usable} of ${keys.length} keys usable (below ${Math.round(capacity.minUsableFraction * 100)}%)`,
      }));
    }
  }

  function evaluate(): void {
    const at = now();
    for (const { subject, window } of errorWindows.values()) checkErrorRate(subject, window, at);
    for (const { subject, window } of latencyWindows.values()) checkLatency(subject, window, at);
    for (const pool of list) checkSnapshot(pool, at);
  }

  const unsubscribes = list.map((pool) =>
    pool.onAny((raw) => {
      const event = observe(raw);
      const name = names.get(pool) ?? pool.provider;
      if (event.type === 'request.success') onOutcome(name, pool.provider, event, true);
      else if (event.type === 'request.failure') {
        if (!resolved.ignoreCategories.has(event.category ?? ''))
          onOutcome(name, pool.provider, event, false);
      } else if (
        event.type === 'key.disabled' ||
        event.type === 'key.enabled' ||
        event.type === 'key.cooldown' ||
        event.type === 'key.recovered' ||
        event.type === 'key.removed' ||
        event.type === 'limits.learned'
      )
        checkSnapshot(pool, eventTime(event, now));
    }),
  );
  const timer = setInterval(evaluate, options.intervalMs ?? 1_000);
  (timer as { unref?: () => void }).unref?.();
  let closed = false;
  // The first evaluation waits a microtask, so listeners attached right after creation see what it raises.
  void Promise.resolve().then(() => {
    if (!closed) evaluate();
  });

  return {
    on: (name, listener) => emitter.on(name, listener),
    onAny: (listener) => emitter.onAny(listener),
    alerts: () => [...active.values()],
    evaluate,
    close: () => {
      closed = true;
      clearInterval(timer);
      for (const unsubscribe of unsubscribes) unsubscribe();
    },
  };
}
