import { withTimeout } from './with-timeout';

/** A status change made while Redis was away, written on rejoin. */
export type PendingChange = () => Promise<unknown>;

/** What `FailOpen` needs from its store. */
export interface FailOpenOptions {
  /** The first health check comes this long after Redis failed (ms); the delay doubles up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Status changes kept during an outage (oldest dropped first). */
  maxPending: number;
  /** How long one write may take (a replayed change, or one run by `writeOrQueue`). */
  timeoutMs: number;
  /** Checks that Redis answers (and readies it, e.g. loads scripts); throws when it does not. */
  reconnect(): Promise<void>;
  /** Runs after the queued changes are written, before the store goes back to Redis (throws to try again later). */
  handOver(): Promise<void>;
  /** Redis failed: the store now serves locally. */
  onDegraded(operation: string, error: unknown, at: number): void;
  /** Redis is back: the store serves from it again. */
  onRecovered(event: { at: number; downMs: number; replayed: number }): void;
}

/**
 * The fail-open state of a networked store: whether it serves locally, the health checks with backoff while it does,
 * the status changes kept for the rejoin, and the rejoin itself (reconnect, replay the changes, hand over).
 */
export class FailOpen {
  private degradedSince: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delayMs: number;
  private checking = false;
  private pending: PendingChange[] = [];
  private closed = false;
  private readonly options: FailOpenOptions;

  constructor(options: FailOpenOptions) {
    this.options = options;
    this.delayMs = options.initialDelayMs;
  }

  /** True while Redis is away (or the store is closed): calls are served locally. */
  get local(): boolean {
    return this.degradedSince !== undefined || this.closed;
  }

  /** True while the store serves locally because Redis failed. */
  get degraded(): boolean {
    return this.degradedSince !== undefined;
  }

  /** Redis failed during `operation`: serve locally and check Redis with backoff (once; later failures add nothing). */
  degrade(operation: string, error: unknown): void {
    if (this.local) return;
    this.degradedSince = Date.now();
    this.options.onDegraded(operation, error, this.degradedSince);
    this.delayMs = this.options.initialDelayMs;
    this.schedule();
  }

  /** Keeps a status change for the rejoin. */
  queue(change: PendingChange): void {
    this.pending.push(change);
    const excess = this.pending.length - this.options.maxPending;
    if (excess > 0) this.pending.splice(0, excess);
  }

  /** Runs an administrative write now, or (Redis away) keeps it for the rejoin. Undefined when it was kept. */
  async writeOrQueue<T>(operation: string, write: () => Promise<T>): Promise<T | undefined> {
    if (this.local) {
      this.queue(write);
      return undefined;
    }
    const call = write();
    try {
      return await withTimeout(call, this.options.timeoutMs, operation);
    } catch (error) {
      call.catch(() => undefined);
      this.queue(write);
      this.degrade(operation, error);
      return undefined;
    }
  }

  /** Stops the health checks for good. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.closed || this.timer || this.degradedSince === undefined) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, delay);
    this.timer.unref?.();
  }

  private async check(): Promise<void> {
    if (this.closed || this.checking || this.degradedSince === undefined) return;
    this.checking = true;
    let replayed = 0;
    try {
      await this.options.reconnect();
      // Status changes made during the outage go to Redis first (each is idempotent), then calls follow.
      while (this.pending.length > 0) {
        await withTimeout(this.pending[0]!(), this.options.timeoutMs, 'replay');
        this.pending.shift();
        replayed++;
      }
      await this.options.handOver();
    } catch {
      this.checking = false;
      this.schedule();
      return;
    }
    this.checking = false;
    const at = Date.now();
    const downMs = at - this.degradedSince;
    this.degradedSince = undefined;
    this.options.onRecovered({ at, downMs, replayed });
  }
}
