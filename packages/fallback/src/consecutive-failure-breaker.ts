import { ConfigError } from '@keypool/core';
import type { BreakerFailureHint, BreakerState, StepBreaker } from './step-breaker';

/** Options of a {@link ConsecutiveFailureBreaker}. */
export interface ConsecutiveFailureBreakerOptions {
  /** Consecutive step failures that open the breaker. Default 3. */
  threshold?: number;
  /** How long the breaker stays open before it lets one probe through. Default 10,000 ms. */
  breakMs?: number;
  /**
   * Open at once, for the step's own estimate, when a failure comes with `retryAfterMs > 0` (a pool that says no key
   * is usable for that long). Default true.
   */
  openOnRetryAfter?: boolean;
  /** The longest break, whatever the step's estimate. Default 300,000 ms. */
  maxBreakMs?: number;
  /** State saved by `toJSON()` to start from. */
  initialState?: ConsecutiveFailureBreakerState;
}

/** A {@link ConsecutiveFailureBreaker}'s serialisable state. */
export interface ConsecutiveFailureBreakerState {
  /** `half_open` is saved as `open` with an ended break: the next `allow` probes. */
  state: 'closed' | 'open';
  consecutiveFailures: number;
  /** When the break ends (epoch ms); 0 when closed. */
  openUntil: number;
}

/**
 * The default step breaker: opens after `threshold` consecutive step failures (or at once when the step says when it
 * will be usable again), stays open for `breakMs` (or that estimate, capped by `maxBreakMs`), then lets ONE probe
 * through (half-open): its success closes the breaker, its failure opens it again.
 */
export class ConsecutiveFailureBreaker implements StepBreaker {
  private current: BreakerState;
  private consecutiveFailures: number;
  private openUntil: number;
  private probeInFlight = false;
  private readonly threshold: number;
  private readonly breakMs: number;
  private readonly maxBreakMs: number;
  private readonly openOnRetryAfter: boolean;

  constructor(options: ConsecutiveFailureBreakerOptions = {}) {
    this.threshold = options.threshold ?? 3;
    this.breakMs = options.breakMs ?? 10_000;
    this.maxBreakMs = options.maxBreakMs ?? 300_000;
    this.openOnRetryAfter = options.openOnRetryAfter ?? true;
    const issues: { path: string; message: string }[] = [];
    if (!Number.isInteger(this.threshold) || this.threshold < 1)
      issues.push({ path: 'threshold', message: 'must be an integer >= 1' });
    if (!(this.breakMs >= 0)) issues.push({ path: 'breakMs', message: 'must be >= 0' });
    if (!(this.maxBreakMs >= this.breakMs))
      issues.push({ path: 'maxBreakMs', message: 'must be >= breakMs' });
    if (issues.length > 0) throw new ConfigError('breaker options', issues);
    const initial = options.initialState;
    this.current = initial?.state === 'open' ? 'open' : 'closed';
    this.consecutiveFailures = initial?.consecutiveFailures ?? 0;
    this.openUntil = initial?.state === 'open' ? initial.openUntil : 0;
  }

  get state(): BreakerState {
    return this.current;
  }

  allow(now: number): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (now < this.openUntil) return false;
      this.current = 'half_open';
      this.probeInFlight = true;
      return true;
    }
    if (this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  success(): void {
    // While open, a success can only come from a call let through before the break began: the step may still be
    // down, so only the half-open probe's answer closes the breaker.
    if (this.current === 'open') return;
    this.current = 'closed';
    this.consecutiveFailures = 0;
    this.openUntil = 0;
    this.probeInFlight = false;
  }

  failure(now: number, hint?: BreakerFailureHint): void {
    this.consecutiveFailures++;
    const estimate = hint?.retryAfterMs;
    const hinted = this.openOnRetryAfter && estimate !== undefined && estimate > 0;
    if (this.current === 'half_open' || hinted || this.consecutiveFailures >= this.threshold) {
      const length = hinted ? Math.min(estimate, this.maxBreakMs) : this.breakMs;
      // A later estimate never shortens a break already running.
      this.openUntil = Math.max(this.current === 'open' ? this.openUntil : 0, now + length);
      this.current = 'open';
    }
    this.probeInFlight = false;
  }

  release(): void {
    if (this.current === 'half_open' && this.probeInFlight) {
      // No verdict: back to open with the break already over, so the next caller probes.
      this.probeInFlight = false;
      this.current = 'open';
    }
  }

  remainingMs(now: number): number | undefined {
    if (this.current !== 'open') return undefined;
    return Math.max(0, this.openUntil - now);
  }

  toJSON(): ConsecutiveFailureBreakerState {
    return {
      state: this.current === 'closed' ? 'closed' : 'open',
      consecutiveFailures: this.consecutiveFailures,
      openUntil: this.current === 'closed' ? 0 : this.openUntil,
    };
  }
}
