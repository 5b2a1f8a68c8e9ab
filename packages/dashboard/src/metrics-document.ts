import type { DashboardCollector } from './dashboard-collector';
import { PrometheusWriter } from './prometheus-text';
import type { StatusDocument } from './status-document';

const STATUSES = ['active', 'cooling', 'half_open', 'limited', 'disabled'] as const;

/**
 * The Prometheus text for `/metrics`: gauges from the pools' snapshots (with a shared store, the whole cluster's
 * counts), and counters and a latency histogram from the events this process saw. Labels name keys by id only.
 */
export function metricsDocument(collector: DashboardCollector, status: StatusDocument): string {
  const out = new PrometheusWriter();
  out.family('keypool_key_status', 'gauge', 'A key is in this status now (1) or not (0).');
  for (const pool of status.pools)
    for (const key of pool.keys)
      for (const state of STATUSES)
        out.sample(
          'keypool_key_status',
          { pool: pool.name, provider: pool.provider, key: key.id, status: state },
          key.status === state ? 1 : 0,
        );
  out.family(
    'keypool_key_cooldown_seconds',
    'gauge',
    'Seconds until a cooling key is tried again (0 when not cooling).',
  );
  for (const pool of status.pools)
    for (const key of pool.keys)
      out.sample(
        'keypool_key_cooldown_seconds',
        { pool: pool.name, provider: pool.provider, key: key.id },
        (key.cooldownRemainingMs ?? 0) / 1_000,
      );
  out.family('keypool_key_in_flight', 'gauge', 'Calls running on a key now.');
  for (const pool of status.pools)
    for (const key of pool.keys)
      out.sample(
        'keypool_key_in_flight',
        { pool: pool.name, provider: pool.provider, key: key.id },
        key.inFlight,
      );
  out.family(
    'keypool_key_requests_total',
    'counter',
    'Attempts made with a key, as its state counts them (cluster-wide with a shared store).',
  );
  for (const pool of status.pools)
    for (const key of pool.keys)
      out.sample(
        'keypool_key_requests_total',
        { pool: pool.name, provider: pool.provider, key: key.id },
        key.counts.requests,
      );
  out.family(
    'keypool_key_failures_total',
    'counter',
    'Failed attempts of a key by category, as its state counts them.',
  );
  for (const pool of status.pools)
    for (const key of pool.keys)
      for (const [category, count] of Object.entries(key.counts.failures))
        out.sample(
          'keypool_key_failures_total',
          { pool: pool.name, provider: pool.provider, key: key.id, category },
          count ?? 0,
        );
  // Each family's samples follow its TYPE line together, as the text format requires.
  out.family('keypool_pool_usable_keys', 'gauge', 'Keys of a pool that are active or half-open now.');
  for (const pool of status.pools)
    out.sample('keypool_pool_usable_keys', { pool: pool.name, provider: pool.provider }, pool.usable);
  out.family('keypool_pool_keys', 'gauge', 'Keys in a pool.');
  for (const pool of status.pools)
    out.sample('keypool_pool_keys', { pool: pool.name, provider: pool.provider }, pool.keys.length);
  out.family('keypool_attempts_total', 'counter', 'Attempts this process saw end, by outcome.');
  for (const { labels, value } of collector.attempts.entries())
    out.sample('keypool_attempts_total', labels, value);
  out.family('keypool_failures_total', 'counter', 'Failed attempts this process saw, by category.');
  for (const { labels, value } of collector.failures.entries())
    out.sample('keypool_failures_total', labels, value);
  out.family('keypool_rate_limited_total', 'counter', 'Attempts answered with a rate limit (429).');
  for (const { labels, value } of collector.rateLimited.entries())
    out.sample('keypool_rate_limited_total', labels, value);
  out.family('keypool_cooldowns_total', 'counter', 'Cooldowns started on a key, by category.');
  for (const { labels, value } of collector.cooldowns.entries())
    out.sample('keypool_cooldowns_total', labels, value);
  out.family(
    'keypool_tokens_total',
    'counter',
    'Tokens used by successful calls, when the events carry usage.',
  );
  for (const { labels, value } of collector.tokens.entries())
    out.sample('keypool_tokens_total', labels, value);
  out.family('keypool_request_duration_seconds', 'histogram', 'Latency of successful calls.');
  collector.latency.write(out, 'keypool_request_duration_seconds');
  out.family('keypool_fallbacks_total', 'counter', 'Moves of a chain from one step to the next.');
  for (const { labels, value } of collector.fallbacks.entries())
    out.sample('keypool_fallbacks_total', labels, value);
  out.family('keypool_chain_step_breaker_open', 'gauge', 'A chain step’s breaker is open (1) or not (0).');
  for (const chain of status.chains)
    for (const step of chain.steps)
      out.sample(
        'keypool_chain_step_breaker_open',
        { chain: chain.name, step: step.name },
        step.breaker === 'open' ? 1 : 0,
      );
  out.family('keypool_alerts_active', 'gauge', 'Health alerts raised and not resolved, by rule.');
  const byRule = new Map<string, number>();
  for (const alert of status.alerts) byRule.set(alert.rule, (byRule.get(alert.rule) ?? 0) + 1);
  for (const rule of ['consecutive_failures', 'error_rate', 'latency', 'key_disabled', 'capacity', 'quota'])
    out.sample('keypool_alerts_active', { rule }, byRule.get(rule) ?? 0);
  return out.text();
}
