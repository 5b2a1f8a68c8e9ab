/** Multiplicative decrease: after a 429, the rate drops to this share of what the key delivered in the last window. */
const DECREASE = 0.95;
/** Fewer requests than this in the last window say nothing about a rate: the 429 is a plain cooldown then. */
const MIN_SAMPLE = 5;
/** Additive increase below the rate a key was last limited at: one more request per window after each window. */
const WINDOWS_PER_STEP = 1;
/** Additive increase at or above that rate (probing for a raised limit): one step after this many windows. */
const WINDOWS_PER_PROBE = 10;
/** ...and after at least this many successes, so that a probe's 429 stays under 1% of requests at any rate. */
const SUCCESSES_PER_PROBE = 100;

/** What a rate-limit answer did to an adaptive limit. */
export type AdaptiveOutcome = 'decreased' | 'same_window' | 'too_few';

/**
 * The rate the pool last learned for one model scope, shared by that scope's keys: a key that has not been limited
 * itself starts from it, since keys of one provider account usually share a tier. One cell per scope name.
 */
export interface SharedRate {
  limit: number | undefined;
}

/**
 * The adaptive-limit plug-in: builds one key's learned rate for a model scope (the window length in ms, and the rate
 * the scope's keys share). `KeyPool` has it built in (`adaptiveLimits: true`, the default); the lean engine carries
 * the code only when given it: `createPoolEngine({ ..., adaptiveLimits: adaptiveLimiter() })`.
 */
export type AdaptiveLimiter = (windowMs: number, shared: SharedRate) => AdaptiveLimit;

/**
 * Learn each key's safe request rate from its 429s when it has no configured limit and no rate-limit headers
 * (additive increase, multiplicative decrease; see `AdaptiveLimit`). Give it to the lean engine as
 * `adaptiveLimits: adaptiveLimiter()`.
 */
export function adaptiveLimiter(): AdaptiveLimiter {
  return (windowMs, shared) => new AdaptiveLimit(windowMs, shared);
}

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

  /** Takes back one event counted at `at` (a request the provider refused did not use its capacity). */
  remove(at: number, now: number): void {
    if (now - this.start >= this.windowMs) this.roll(now);
    if (at >= this.start && this.current > 0) this.current--;
    else if (at >= this.start - this.windowMs && this.previous > 0) this.previous--;
  }

  /** Events in the last window: this window's count plus the overlapping share of the previous one. */
  read(now: number): number {
    if (now - this.start >= this.windowMs) this.roll(now);
    return this.current + this.previous * (1 - (now - this.start) / this.windowMs);
  }

  /** The earliest time the estimate falls to `target` or below, if nothing more is added. */
  fallsTo(target: number, now: number): number {
    if (this.read(now) <= target) return now;
    const { start, current, previous, windowMs } = this;
    // Within this window the previous window's share decays linearly; after it, this window's count does.
    if (current <= target) return start + windowMs * (1 - (target - current) / previous);
    return start + windowMs + windowMs * (1 - target / current);
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
 * OpenAI-compatible servers and proxies send neither). Additive increase, multiplicative decrease, as TCP does:
 *
 * - a 429 sets the rate to 95% of what the key delivered (answered with success) in the last window, at most once per
 *   window (the rest of that window's 429s are the same event), and shares it with the scope's other keys, which
 *   start from it until they learn their own;
 * - requests are paced evenly (one every window/limit ms) and held while the requests sent in the last window reach
 *   the limit, so a key that was just limited waits for its window instead of being sent into it again;
 * - each window's worth of successes raises the rate by one request per window, up to the rate the key was last
 *   limited at; above it the pool probes for a raised limit ten times slower (and only after 100 successes), so a
 *   key at its real capacity sees a 429 for under 1% of its requests.
 *
 * It counts only requests sent from this process: with a shared store each process learns its own share.
 */
export class AdaptiveLimit {
  private own: number | undefined;
  private readonly shared: SharedRate;
  private readonly windowMs: number;
  private readonly sent: WindowCount;
  private readonly delivered: WindowCount;
  private successes = 0;
  /** The lowest rate the key was last limited at: stepping up to it (and beyond) is slow. */
  private ceiling = Number.POSITIVE_INFINITY;
  private decreasedAt = Number.NEGATIVE_INFINITY;
  /** The earliest time the next paced request may go. */
  private slotAt = 0;

  constructor(windowMs: number, shared: SharedRate = { limit: undefined }) {
    this.windowMs = windowMs;
    this.shared = shared;
    this.sent = new WindowCount(windowMs);
    this.delivered = new WindowCount(windowMs);
  }

  /** Requests per window: the key's own learned rate, else its scope's; undefined until a 429 taught one. */
  get limit(): number | undefined {
    return this.own ?? this.shared.limit;
  }

  /** Counts one request sent at `now`. */
  add(now: number): void {
    this.sent.add(now);
    const limit = this.limit;
    // The schedule, not the moment a late request went, sets the next slot (timers fire late; lateness would add up
    // to a lower rate), but an idle key does not bank more than one slot.
    if (limit !== undefined) {
      const interval = this.windowMs / limit;
      this.slotAt = Math.max(this.slotAt, now - interval) + interval;
    }
  }

  /** When one more request may go (now when not paced). */
  freeAt(now: number): number {
    const limit = this.limit;
    if (limit === undefined) return now;
    return Math.max(now, this.slotAt, this.sent.fallsTo(limit, now));
  }

  /** Counts a success; additive increase once enough requests succeeded at the current rate. */
  onSuccess(now: number): void {
    this.delivered.add(now);
    const limit = this.limit;
    if (limit === undefined) return;
    this.successes++;
    const needed =
      limit + 1 < this.ceiling
        ? limit * WINDOWS_PER_STEP
        : Math.max(limit * WINDOWS_PER_PROBE, SUCCESSES_PER_PROBE);
    if (this.successes >= needed) {
      this.own = limit + 1;
      this.successes = 0;
    }
  }

  /** Takes a request sent at `startedAt` and refused with a 429 off the window's count: it used no capacity. */
  onRefused(startedAt: number, now: number): void {
    this.sent.remove(startedAt, now);
  }

  /**
   * Multiplicative decrease for a 429 on an attempt that started at `startedAt`. A 429 of an attempt sent before the
   * last decrease, or within a window of it, belongs to the same event; with too few requests in the window to
   * measure a rate, the caller falls back to a cooldown.
   */
  onLimited(startedAt: number, now: number): AdaptiveOutcome {
    if (startedAt < this.decreasedAt || now - this.decreasedAt < this.windowMs) return 'same_window';
    const limit = this.limit;
    if (limit === undefined && this.sent.read(now) + 1 < MIN_SAMPLE) return 'too_few';
    const delivered = Math.max(this.delivered.read(now), 1);
    // The lowest rate known to draw a 429: the key's own paced rate that just did, or one more than it delivered. A
    // rate borrowed from the scope's other keys says nothing about this key.
    const own = this.own ?? Number.POSITIVE_INFINITY;
    this.ceiling = Math.min(own, Math.floor(delivered) + 1);
    this.own = Math.max(1, Math.floor(Math.min(own, delivered) * DECREASE));
    this.shared.limit = this.own;
    this.successes = 0;
    this.decreasedAt = now;
    this.slotAt = Math.max(this.slotAt, now + this.windowMs / this.own);
    return 'decreased';
  }
}
