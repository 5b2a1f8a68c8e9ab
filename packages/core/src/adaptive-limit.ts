/** Multiplicative decrease: after a 429, the rate drops to this share of what the key delivered in the last window. */
const DECREASE = 0.95;
/** Fewer requests than this in the last window say nothing about a rate: the 429 is a plain cooldown then. */
const MIN_SAMPLE = 5;
/** Additive increase: one more request per window after this many windows' worth of successes. */
const WINDOWS_PER_STEP = 2;

/** What a rate-limit answer did to an adaptive limit. */
export type AdaptiveOutcome = 'decreased' | 'same_window' | 'too_few';

/** Counts events in the current and the previous fixed window: O(1) to count, a sliding estimate to read. */
class WindowCount {
  private start = Number.NEGATIVE_INFINITY;
  private current = 0;
  private previous = 0;
  private readonly windowMs: number;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  add(now: number): void {
    if (now - this.start >= this.windowMs) this.roll(now);
    this.current++;
  }

  /** Events in the last window: this window's count plus the overlapping share of the previous one. */
  read(now: number): number {
    if (now - this.start >= this.windowMs) this.roll(now);
    return this.current + this.previous * (1 - (now - this.start) / this.windowMs);
  }

  private roll(now: number): void {
    const windows = Math.floor((now - this.start) / this.windowMs);
    this.previous = windows === 1 ? this.current : 0;
    this.current = 0;
    this.start = Number.isFinite(this.start) ? this.start + windows * this.windowMs : now;
  }
}

/**
 * A request rate learned from 429s alone, for keys with no configured limit and no rate-limit headers (many
 * OpenAI-compatible servers and proxies send neither). Additive increase, multiplicative decrease, as TCP does: a 429
 * sets the rate to 95% of what the key delivered (answered with success) in the last window, at most once per window
 * (the rest of that window's 429s are the same event); each two windows' worth of successes raise it by one request
 * per window. Requests are paced evenly (one every window/limit ms), so the pool settles just under the key's real
 * capacity instead of hammering it in bursts or starving.
 *
 * It counts only requests sent from this process: with a shared store each process learns its own share.
 */
export class AdaptiveLimit {
  /** Requests per window; undefined until a 429 taught one (the key is not paced before that). */
  limit: number | undefined;
  private readonly windowMs: number;
  private readonly sent: WindowCount;
  private readonly delivered: WindowCount;
  private successes = 0;
  private decreasedAt = Number.NEGATIVE_INFINITY;
  /** The earliest time the next paced request may go, plus one interval. */
  private nextAt = 0;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
    this.sent = new WindowCount(windowMs);
    this.delivered = new WindowCount(windowMs);
  }

  /** Counts one request sent at `now`. */
  add(now: number): void {
    this.sent.add(now);
    if (this.limit !== undefined) this.nextAt = Math.max(this.nextAt, now) + this.windowMs / this.limit;
  }

  /** When one more request may go (now when not paced). */
  freeAt(now: number): number {
    return this.limit === undefined ? now : Math.max(now, this.nextAt - this.windowMs / this.limit);
  }

  /** Counts a success; additive increase once enough requests succeeded at the current rate. */
  onSuccess(now: number): void {
    this.delivered.add(now);
    if (this.limit === undefined) return;
    this.successes++;
    if (this.successes >= this.limit * WINDOWS_PER_STEP) {
      this.limit++;
      this.successes = 0;
    }
  }

  /**
   * Multiplicative decrease for a 429 on an attempt that started at `startedAt`. A 429 of an attempt sent before the
   * last decrease, or within a window of it, belongs to the same event; with too few requests in the window to
   * measure a rate, the caller falls back to a cooldown.
   */
  onLimited(startedAt: number, now: number): AdaptiveOutcome {
    if (startedAt < this.decreasedAt || now - this.decreasedAt < this.windowMs) return 'same_window';
    if (this.limit === undefined && this.sent.read(now) < MIN_SAMPLE) return 'too_few';
    const delivered = this.delivered.read(now);
    this.limit = Math.max(
      1,
      Math.floor(Math.min(this.limit ?? delivered, Math.max(delivered, 1)) * DECREASE),
    );
    this.successes = 0;
    this.decreasedAt = now;
    this.nextAt = now + (2 * this.windowMs) / this.limit;
    return 'decreased';
  }
}
