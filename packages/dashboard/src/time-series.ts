import { quantile, RingBuffer } from '@keypool/core';

/** One series point per provider: calls, 429s, errors and latency in one bucket of time. */
export interface SeriesPoint {
  calls: number;
  rateLimits: number;
  errors: number;
  /** p95 latency of the bucket's successful calls, ms (0 when none). */
  latencyP95Ms: number;
}

/** The charts' data: bucket start times and, per pool, one value per bucket. */
export interface SeriesData {
  bucketMs: number;
  starts: number[];
  pools: Record<string, { calls: number[]; rateLimits: number[]; errors: number[]; latencyP95Ms: number[] }>;
}

interface Bucket {
  start: number;
  calls: number;
  rateLimits: number;
  errors: number;
  latencies: RingBuffer<number>;
}

const LATENCY_SAMPLES = 256;

/** Per-pool counts in fixed time buckets over a bounded span (the last `points` buckets). */
export class TimeSeries {
  readonly bucketMs: number;
  readonly points: number;
  private readonly pools = new Map<string, Map<number, Bucket>>();

  constructor(bucketMs: number, points: number) {
    this.bucketMs = bucketMs;
    this.points = points;
  }

  private bucket(pool: string, at: number): Bucket {
    let buckets = this.pools.get(pool);
    if (!buckets) {
      buckets = new Map();
      this.pools.set(pool, buckets);
    }
    const start = Math.floor(at / this.bucketMs) * this.bucketMs;
    let bucket = buckets.get(start);
    if (!bucket) {
      bucket = { start, calls: 0, rateLimits: 0, errors: 0, latencies: new RingBuffer(LATENCY_SAMPLES) };
      buckets.set(start, bucket);
      const oldest = start - this.points * this.bucketMs;
      for (const key of buckets.keys()) if (key <= oldest) buckets.delete(key);
    }
    return bucket;
  }

  /** Counts a finished attempt. */
  record(
    pool: string,
    at: number,
    outcome: { ok: boolean; rateLimited?: boolean; latencyMs?: number },
  ): void {
    const bucket = this.bucket(pool, at);
    bucket.calls++;
    if (!outcome.ok) bucket.errors++;
    if (outcome.rateLimited) bucket.rateLimits++;
    if (outcome.ok && outcome.latencyMs !== undefined) bucket.latencies.push(outcome.latencyMs);
  }

  /** Makes sure a pool has a series even before its first call. */
  touch(pool: string): void {
    if (!this.pools.has(pool)) this.pools.set(pool, new Map());
  }

  /** The last `points` buckets up to `now`, oldest first; empty buckets are zeros. */
  data(now: number): SeriesData {
    const last = Math.floor(now / this.bucketMs) * this.bucketMs;
    const starts = Array.from(
      { length: this.points },
      (_, index) => last - (this.points - 1 - index) * this.bucketMs,
    );
    const pools: SeriesData['pools'] = {};
    for (const [pool, buckets] of this.pools) {
      const row = {
        calls: [] as number[],
        rateLimits: [] as number[],
        errors: [] as number[],
        latencyP95Ms: [] as number[],
      };
      for (const start of starts) {
        const bucket = buckets.get(start);
        row.calls.push(bucket?.calls ?? 0);
        row.rateLimits.push(bucket?.rateLimits ?? 0);
        row.errors.push(bucket?.errors ?? 0);
        row.latencyP95Ms.push(Math.round(quantile(bucket?.latencies.toArray() ?? [], 0.95) ?? 0));
      }
      pools[pool] = row;
    }
    return { bucketMs: this.bucketMs, starts, pools };
  }
}
