import type { KeyBehaviour } from './config.ts';
import type { RateLimitRefusal, RateLimitSnapshot, WindowClock } from './rate-windows.ts';
import { RateWindows } from './rate-windows.ts';

export type { LimitStatus, RateLimitRefusal, RateLimitSnapshot } from './rate-windows.ts';

/**
 * The live state of one key: its behaviour, its rate-limit windows (one set for the key, or one per model with
 * `windowScope: 'model'`) and how many calls it has served (for `revokeAfter`).
 */
export class KeyState {
  behaviour: KeyBehaviour;
  /** Requests seen with this key since start or the last reset, whatever their outcome. */
  calls = 0;
  private readonly scopes = new Map<string, RateWindows>();
  private readonly clock: WindowClock;

  constructor(behaviour: KeyBehaviour, windowMs: number, dayMs: number, epoch = Date.now()) {
    this.behaviour = behaviour;
    this.clock = { windowMs, dayMs, epoch };
  }

  /** Forgets the windows and the call count; fixed windows are aligned to `epoch` from now on. */
  resetCounters(epoch = Date.now()): void {
    this.calls = 0;
    this.scopes.clear();
    this.clock.epoch = epoch;
  }

  /** The windows a request for `model` counts against. */
  private windowsFor(model: string): RateWindows {
    const scope = this.behaviour.windowScope === 'model' ? model : '';
    let windows = this.scopes.get(scope);
    if (windows === undefined) {
      windows = new RateWindows();
      this.scopes.set(scope, windows);
    }
    return windows;
  }

  /** Returns why a request for `model` of `tokens` tokens would be refused now, or undefined if it fits. */
  check(now: number, tokens: number, model = ''): RateLimitRefusal | undefined {
    return this.windowsFor(model).check(now, tokens, this.behaviour, this.clock);
  }

  /** Charges one request for `model` of `tokens` tokens to the current windows. */
  consume(now: number, tokens: number, model = ''): void {
    this.windowsFor(model).consume(now, tokens, this.behaviour, this.clock);
  }

  /**
   * What the rate-limit headers for a request for `model` should say now (nothing but the query cost with
   * `rateLimitHeaders: false`); `queryCost` is the current request's token charge.
   */
  snapshot(now: number, queryCost: number, model = ''): RateLimitSnapshot {
    if (this.behaviour.rateLimitHeaders === false) return { queryCost };
    return this.windowsFor(model).snapshot(now, queryCost, this.behaviour, this.clock);
  }
}
