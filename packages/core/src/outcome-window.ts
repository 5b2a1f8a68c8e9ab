import { RingBuffer } from './ring-buffer';

/** One call's outcome in a window. */
export interface Outcome {
  at: number;
  ok: boolean;
  latencyMs?: number;
}

/** The last `lastCalls` outcomes within `windowMs`: what the error-rate and latency rules read. */
export class OutcomeWindow {
  private readonly ring: RingBuffer<Outcome>;
  private readonly windowMs: number;

  constructor(lastCalls: number, windowMs: number) {
    this.ring = new RingBuffer(lastCalls);
    this.windowMs = windowMs;
  }

  /** Adds an outcome. */
  push(outcome: Outcome): void {
    this.ring.push(outcome);
  }

  /** The outcomes still inside the window at `now`, oldest first. */
  outcomes(now: number): Outcome[] {
    this.ring.dropWhile((outcome) => outcome.at <= now - this.windowMs);
    return this.ring.toArray();
  }
}

/** The `fraction` quantile (0..1) of `values` by nearest rank; `undefined` when empty. */
export function quantile(values: readonly number[], fraction: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1];
}
