import type { ModelBehaviour } from './config.ts';

/** The live state of one model: its behaviour plus the one-shot and outage clocks that `reset()` re-arms. */
export class ModelState {
  behaviour: ModelBehaviour;
  private serverErrorSpent = false;
  private outageStartedAt: number | undefined;
  private streamFaultsSpent = 0;

  constructor(behaviour: ModelBehaviour, now: number) {
    this.behaviour = behaviour;
    this.arm(now);
  }

  /** Re-arms `serverErrorOnce` and restarts the outage clock (now, or at the next request). */
  arm(now: number): void {
    this.serverErrorSpent = false;
    this.streamFaultsSpent = 0;
    this.outageStartedAt = this.behaviour.outage?.from === 'set' ? now : undefined;
  }

  /**
   * How this request fails if it falls inside the outage (`'overloaded'` or `'server_error'`), else undefined. The
   * first request starts the clock unless `from: 'set'`; with `upMs` the outage repeats every `downMs + upMs`.
   */
  outageAt(now: number): 'overloaded' | 'server_error' | undefined {
    const outage = this.behaviour.outage;
    if (outage === undefined) return undefined;
    if (this.outageStartedAt === undefined) this.outageStartedAt = now;
    let elapsed = now - this.outageStartedAt;
    if (outage.upMs !== undefined && elapsed >= 0) elapsed %= outage.downMs + outage.upMs;
    return elapsed < outage.downMs ? (outage.kind ?? 'overloaded') : undefined;
  }

  /** True while this streamed answer should get the model's stream faults (see `streamFaultTimes`); counts it. */
  takeStreamFaults(): boolean {
    const times = this.behaviour.streamFaultTimes;
    if (times === undefined) return true;
    if (this.streamFaultsSpent >= times) return false;
    this.streamFaultsSpent += 1;
    return true;
  }

  /** True the first time it is asked after arming when `serverErrorOnce` is set. */
  takeServerErrorOnce(): boolean {
    if (!this.behaviour.serverErrorOnce || this.serverErrorSpent) return false;
    this.serverErrorSpent = true;
    return true;
  }
}
