/**
 * Pure analysis of the emulator's request log: attempts, 429s and share of traffic per key, and the gaps after each
 * 429 compared with the wait the emulator asked for (replayed from the log: a key's fixed window opens at the first
 * request it serves after the previous window ended, and a 429's retry-after is the time until that window ends).
 */
import { countBy, shares } from './stats.ts';

/** The fields of the emulator's `RequestLogEntry` the analysis reads. */
export interface LogEntry {
  seq: number;
  time: number;
  provider: string;
  key?: string;
  status: number;
  outcome: string;
}

export interface TrafficSummary {
  attempts: number;
  ok: number;
  rateLimited: number;
  /** Attempts per key label (labels from `labelOf`). */
  attemptsByKey: Record<string, number>;
  /** Share of attempts per key label (0..1). */
  shareByKey: Record<string, number>;
}

export function summarizeTraffic(
  entries: readonly LogEntry[],
  labelOf: (secret: string) => string,
): TrafficSummary {
  const attemptsByKey = countBy(entries, (entry) => labelOf(entry.key ?? ''));
  return {
    attempts: entries.length,
    ok: entries.filter((entry) => entry.outcome === 'ok').length,
    rateLimited: entries.filter((entry) => entry.outcome === 'rate_limited').length,
    attemptsByKey,
    shareByKey: shares(attemptsByKey),
  };
}

/** One 429 followed by another attempt on the same key: how long the client waited, and how long it was asked to. */
export interface RetryGap {
  key: string;
  /** Time of the 429 (emulator clock, ms). */
  at: number;
  /** Time until the key's window freed, as the emulator computed retry-after-ms. */
  askedMs: number;
  /** Time until the next attempt on the same key. */
  waitedMs: number;
  honoured: boolean;
}

/**
 * Replays each key's request window (`rpmOf(secret)` requests per `windowMs`) and returns, for every 429 that was
 * followed by another attempt on the same key, the wait asked and the wait taken. `toleranceMs` absorbs the log's
 * millisecond clock (the emulator decides at arrival and logs at answer).
 */
export function retryGaps(
  entries: readonly LogEntry[],
  windowMs: number,
  rpmOf: (secret: string) => number | undefined,
  toleranceMs = 2,
): RetryGap[] {
  const byKey = new Map<string, LogEntry[]>();
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    const key = entry.key ?? '';
    const list = byKey.get(key) ?? [];
    list.push(entry);
    byKey.set(key, list);
  }
  const gaps: RetryGap[] = [];
  for (const [key, list] of byKey) {
    if (rpmOf(key) === undefined) continue;
    let windowStart = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < list.length; index++) {
      const entry = list[index]!;
      if (entry.time - windowStart >= windowMs) windowStart = Number.NEGATIVE_INFINITY;
      if (entry.outcome === 'ok') {
        if (!Number.isFinite(windowStart)) windowStart = entry.time;
        continue;
      }
      if (entry.outcome !== 'rate_limited') continue;
      const next = list[index + 1];
      if (next === undefined) continue;
      const askedMs = Number.isFinite(windowStart) ? Math.max(0, windowStart + windowMs - entry.time) : 0;
      const waitedMs = next.time - entry.time;
      gaps.push({ key, at: entry.time, askedMs, waitedMs, honoured: waitedMs + toleranceMs >= askedMs });
    }
  }
  return gaps.sort((a, b) => a.at - b.at);
}
