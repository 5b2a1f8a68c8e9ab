import { fingerprintSecret, type KeySnapshot, maskSecret } from '@keypool/core';
import type { RequestLogEntry } from '@keypool/emulator';
import type { Simulation } from './simulation';

/** What a simulation did, from its results and the emulator's request log. Keys by id and masked form only. */
export interface SimulationSummary {
  scenario: string;
  seed: number;
  calls: number;
  concurrency: number;
  durationMs: number;
  served: number;
  failed: number;
  /** What reached the providers (the emulator's request log). */
  upstream: {
    requests: number;
    /** Upstream requests per call, on average. */
    perCall: number;
    /** The most upstream attempts one call needed. */
    maxPerCall: number;
    /** Calls served by their first attempt. */
    firstAttempt: number;
    /** Every 429 answered (rate limits and exhausted quotas). */
    status429: number;
    rateLimited: number;
    quotaExhausted: number;
    /** Requests by the emulator's outcome (`ok`, `rate_limited`, `overloaded`, `invalid_key`...). */
    outcomes: Record<string, number>;
  };
  /** Calls served, per provider and key. */
  servedBy: Record<string, { calls: number; keys: Record<string, number> }>;
  /** Calls served by a later step than the chain's first. */
  fallbacks: number;
  revoked?: {
    keyId: string;
    masked: string;
    revokedAfter: number;
    /**
     * Requests the provider refused as revoked: the one that found out, plus any sent at the same moment by other
     * calls in flight (the engine cannot know before the first answer).
     */
    attemptsAfterRevocation: number;
    /** Times the engine picked the key after it had disabled it: always 0. */
    selectedAfterDisabled: number;
    status: string;
  };
  quota?: {
    keyId: string;
    masked: string;
    atCall: number;
    /** Requests the provider refused for quota with this key (the pool should need exactly one). */
    attemptsAfterExhaustion: number;
    status: string;
  };
  outages: { provider: string; model: string; downMs: number; overloadedAnswers: number }[];
  rateLimited: { keyId: string; masked: string; rpm: number; status429: number }[];
  /** Every key's final state. */
  keys: {
    provider: string;
    id: string;
    masked: string;
    status: string;
    calls: number;
    successes: number;
    failures: Record<string, number>;
    reason?: string;
  }[];
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}

/** Builds the summary of a finished simulation (call before closing its emulator). */
export function summarize(simulation: Simulation, durationMs: number): SimulationSummary {
  const { options, plan } = simulation;
  const log: readonly RequestLogEntry[] = simulation.emulator?.requests ?? [];
  const entriesOf = (secret: string) => {
    const fingerprint = fingerprintSecret(secret);
    return log.filter((entry) => entry.keyFingerprint === fingerprint);
  };
  const outcomes = countBy(log, (entry) => entry.outcome);
  const attemptsPerCall = simulation.results.map(
    (result) => result?.attempts.filter((attempt) => attempt.keyId !== undefined).length ?? 0,
  );
  const snapshots = new Map<string, { provider: string; snapshot: KeySnapshot }>(
    simulation.pools.flatMap(({ provider, pool }) =>
      pool.snapshot().map((snapshot) => [`${provider}/${snapshot.id}`, { provider, snapshot }] as const),
    ),
  );
  const statusOf = (provider: string, id: string): string =>
    snapshots.get(`${provider}/${id}`)?.snapshot.status ?? '?';

  const summary: SimulationSummary = {
    scenario: options.scenario,
    seed: options.seed,
    calls: options.calls,
    concurrency: options.concurrency,
    durationMs,
    served: simulation.progress.served,
    failed: simulation.progress.failed,
    upstream: {
      requests: log.length,
      perCall: Math.round((log.length / Math.max(1, options.calls)) * 100) / 100,
      maxPerCall: Math.max(0, ...attemptsPerCall),
      firstAttempt: simulation.results.filter((result) => result?.attempts.length === 1).length,
      status429: log.filter((entry) => entry.status === 429).length,
      rateLimited: outcomes.rate_limited ?? 0,
      quotaExhausted: outcomes.quota_exhausted ?? 0,
      outcomes,
    },
    servedBy: Object.fromEntries(
      simulation.pools.map(({ provider }) => {
        const byKey = simulation.servedBy.get(provider) ?? new Map<string, number>();
        const keys = Object.fromEntries(
          simulation.fleet
            .filter((key) => key.provider === provider)
            .map((key) => [key.id, byKey.get(key.id) ?? 0]),
        );
        return [provider, { calls: Object.values(keys).reduce((sum, count) => sum + count, 0), keys }];
      }),
    ),
    fallbacks: simulation.results.filter((result) => result !== undefined && result.served.index > 0).length,
    outages: plan.outages.map((outage) => ({
      provider: outage.provider,
      model: outage.model,
      downMs: outage.downMs,
      overloadedAnswers: log.filter((entry) => entry.model === outage.model && entry.outcome === 'overloaded')
        .length,
    })),
    rateLimited: plan.rateLimited.map(({ key, rpm }) => ({
      keyId: key.id,
      masked: maskSecret(key.secret),
      rpm,
      status429: entriesOf(key.secret).filter((entry) => entry.outcome === 'rate_limited').length,
    })),
    keys: [...snapshots.values()].map(({ provider, snapshot }) => ({
      provider,
      id: snapshot.id,
      masked: snapshot.masked,
      status: snapshot.status,
      calls: snapshot.counts.requests,
      successes: snapshot.counts.successes,
      failures: Object.fromEntries(
        Object.entries(snapshot.counts.failures).map(([category, count]) => [category, count ?? 0]),
      ),
      ...(snapshot.reason ? { reason: snapshot.reason } : {}),
    })),
  };
  if (plan.revoked) {
    const { key, after } = plan.revoked;
    summary.revoked = {
      keyId: key.id,
      masked: maskSecret(key.secret),
      revokedAfter: after,
      attemptsAfterRevocation: entriesOf(key.secret).filter((entry) => entry.outcome === 'invalid_key')
        .length,
      selectedAfterDisabled: simulation.selectedAfterDisabled.get(`${key.provider}/${key.id}`) ?? 0,
      status: statusOf(key.provider, key.id),
    };
  }
  if (plan.quota) {
    const { key, atCall } = plan.quota;
    summary.quota = {
      keyId: key.id,
      masked: maskSecret(key.secret),
      atCall,
      attemptsAfterExhaustion: entriesOf(key.secret).filter((entry) => entry.outcome === 'quota_exhausted')
        .length,
      status: statusOf(key.provider, key.id),
    };
  }
  return summary;
}
