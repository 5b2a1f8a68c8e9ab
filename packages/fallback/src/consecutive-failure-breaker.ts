import { ConfigError } from '@keypool/core';
import type { BreakerFailureHint, BreakerState, StepBreaker } from './step-breaker';

/** Options of a {@link ConsecutiveFailureBreaker}. */
export interface ConsecutiveFailureBreakerOptions {
  /** Consecutive step failures that open the breaker. Default 3. */
  threshold?: number;
  /**
   * The first break: how long the breaker stays open before it lets one probe through. Default 1,000 ms, so a step
   * that recovers is used again within about a second of its recovery.
   */
  breakMs?: number;
  /**
   * How much the break grows each time a half-open probe fails again (`breakMs`, then `breakMs * growth`, ...,
   * capped by `maxBreakMs`); a success starts again from `breakMs`. Default 1.25: a step down for 3 s is probed about
   * 1, 2.25 and 3.8 s after its breaker opened, so it serves again within about 1.5 s of its recovery, while a step
   * down for minutes is probed every 10-60 s. `1` keeps every break at `breakMs`.
   */
  breakGrowth?: number;
  /**
   * Open at once, for the step's own estimate, when a failure comes with `retryAfterMs > 0` (a pool that says no key
   * is usable for that long). Default true.
   */
  openOnRetryAfter?: boolean;
  /** The longest break, grown or estimated. Default 60,000 ms. */
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
  /** Half-open probes that failed since the breaker last closed (how far the break has grown). */
  failedProbes?: number;
}

/**
 * The default step breaker, built to follow the step: it opens after `threshold` consecutive step failures for a
 * short first break (`breakMs`, 1 s), then lets ONE probe through (half-open). The probe's success closes the breaker;
 * its failure opens it again for a longer break (times `breakGrowth`, capped by `maxBreakMs`), so a step that is back
 * within seconds takes traffic again within about a second or two, and a step that stays down is probed less and less
 * often. When the step says when it will be usable again (a `PoolExhaustedError.retryAfterMs`), the breaker opens at
 * once for exactly that long (capped), never longer, and that break does not grow.
 */
export class ConsecutiveFailureBreaker implements StepBreaker {
  private current: BreakerState;
  private consecutiveFailures: number;
  private openUntil: number;
  private probeInFlight = false;
  private failedProbes: number;
  private readonly threshold: number;
  private readonly breakMs: number;
  private readonly breakGrowth: number;
  private readonly maxBreakMs: number;
  private readonly openOnRetryAfter: boolean;

  constructor(options: ConsecutiveFailureBreakerOptions = {}) {
    this.threshold = options.threshold ?? 3;
    this.breakMs = options.breakMs ?? 1_000;
    this.breakGrowth = options.breakGrowth ?? 1.25;
    this.maxBreakMs = options.maxBreakMs ?? Math.max(60_000, this.breakMs);
    this.openOnRetryAfter = options.openOnRetryAfter ?? true;
    const issues: { path: string; message: string }[] = [];
    if (!Number.isInteger(this.threshold) || this.threshold < 1)
      issues.push({ path: 'threshold', message: 'must be an integer >= 1' });
    if (!(this.breakMs >= 0)) issues.push({ path: 'breakMs', message: 'must be >= 0' });
    if (!(this.breakGrowth >= 1 && Number.isFinite(this.breakGrowth)))
      issues.push({ path: 'breakGrowth', message: 'must be a finite number >= 1' });
    if (!(this.maxBreakMs >= this.breakMs))
      issues.push({ path: 'maxBreakMs', message: 'must be >= breakMs' });
    if (issues.length > 0) throw new ConfigError('breaker options', issues);
    const initial = options.initialState;
    this.current = initial?.state === 'open' ? 'open' : 'closed';
    this.consecutiveFailures = initial?.consecutiveFailures ?? 0;
    this.openUntil = initial?.state === 'open' ? initial.openUntil : 0;
    this.failedProbes = initial?.failedProbes ?? 0;
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
    this.failedProbes = 0;
    this.openUntil = 0;
    this.probeInFlight = false;
  }

  failure(now: number, hint?: BreakerFailureHint): void {
    this.consecutiveFailures++;
    const estimate = hint?.retryAfterMs;
    const hinted = this.openOnRetryAfter && estimate !== undefined && estimate > 0;
    const probeFailed = this.current === 'half_open';
    // A call let through before the break began fails late: it says nothing new, so it never extends the break.
    if (this.current === 'open' && !hinted) return;
    if (probeFailed || hinted || this.consecutiveFailures >= this.threshold) {
      // Only a failed probe grows the break: failures of calls already in flight when it opened say nothing new.
      if (probeFailed && !hinted) this.failedProbes++;
      const length = hinted ? Math.min(estimate, this.maxBreakMs) : this.currentBreakMs();
      // A later estimate never shortens a break already running.
      this.openUntil = Math.max(this.current === 'open' ? this.openUntil : 0, now + length);
      this.current = 'open';
    }
    this.probeInFlight = false;
  }

  /** The break the breaker opens for now: `breakMs` grown once per failed probe, capped by `maxBreakMs`. */
  private currentBreakMs(): number {
    return Math.min(this.maxBreakMs, this.breakMs * this.breakGrowth ** this.failedProbes);
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
      ...(this.failedProbes > 0 ? { failedProbes: this.failedProbes } : {}),
    };
  }
}
