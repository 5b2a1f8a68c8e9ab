/** Pure statistics used by the comparison: quantiles, medians, rounding, ratios. */

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Rounds to `digits` decimals (3 by default); keeps NaN and infinities as they are. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** `part / whole`, or NaN when `whole` is 0. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? Number.NaN : part / whole;
}

/** Median and p99 of `values`, and the same minus a baseline's (the latency a contender adds). */
export interface AddedLatency {
  medianMs: number;
  p99Ms: number;
  addedMedianMs: number;
  addedP99Ms: number;
  /** Median of the per-round differences (contender minus baseline in the same round). */
  pairedMedianMs: number;
}

export function addedLatency(times: readonly number[], baseline: readonly number[]): AddedLatency {
  const paired = times.slice(0, baseline.length).map((time, index) => time - baseline[index]!);
  return {
    medianMs: round(median(times)),
    p99Ms: round(quantile(times, 0.99)),
    addedMedianMs: round(median(times) - median(baseline)),
    addedP99Ms: round(quantile(times, 0.99) - quantile(baseline, 0.99)),
    pairedMedianMs: round(median(paired)),
  };
}

/** Counts of each value, e.g. attempts per key. */
export function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const key = keyOf(item);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Each count as a share of the total (0..1); an empty map for a zero total. */
export function shares(counts: Record<string, number>): Record<string, number> {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  if (total === 0) return {};
  return Object.fromEntries(Object.entries(counts).map(([key, count]) => [key, count / total]));
}
