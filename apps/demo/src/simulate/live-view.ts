import type { KeySnapshot } from '@keypool/core';
import type { WritableLike } from '../cli-io';
import type { Colors } from '../colors';
import { formatDuration } from '../format-duration';
import { padVisible } from '../format-table';
import { formatFailures } from '../key-status-line';
import { LiveRegion } from '../live-region';
import type { Redactor } from '../redactor';
import { describeEvent, EventThrottle, formatClock } from './describe-event';
import type { Simulation } from './simulation';
import type { SimulationEvent } from './simulation-event';

const RECENT_LINES = 9;
const BAR_WIDTH = 24;

/**
 * The terminal view: redrawn in place about ten times a second. A progress bar, the chain with each step's breaker,
 * every key of every provider (state, cooldown left, in flight, calls, successes, failures by category, latency), the
 * calls each key served, and the most recent rotations, cooldowns and fallbacks.
 */
export class LiveView {
  private readonly simulation: Simulation;
  private readonly color: Colors;
  private readonly redactor: Redactor;
  private readonly region: LiveRegion;
  private readonly throttle = new EventThrottle();
  private readonly recent: string[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(simulation: Simulation, stream: WritableLike, color: Colors, redactor: Redactor) {
    this.simulation = simulation;
    this.color = color;
    this.redactor = redactor;
    this.region = new LiveRegion(stream);
  }

  /** Starts redrawing every `intervalMs`. */
  start(intervalMs = 100): void {
    this.draw();
    this.timer = setInterval(() => this.draw(), intervalMs);
  }

  /** Records an event for the "recent" list. */
  push(event: SimulationEvent): void {
    if (event.kind === 'progress') return;
    const { show, held } = this.throttle.admit(event);
    if (!show) return;
    const text = describeEvent(event, this.color);
    if (text === undefined) return;
    this.recent.push(
      `${this.color.dim(formatClock(event.at))}  ${text}${held > 0 ? this.color.dim(` (+${held})`) : ''}`,
    );
    if (this.recent.length > RECENT_LINES) this.recent.shift();
  }

  /** Stops redrawing, leaving the last frame on screen. Only the first call draws it (the end and a Ctrl-C may both call). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
    this.region.done();
  }

  private keyState(snapshot: KeySnapshot): string {
    const { color } = this;
    switch (snapshot.status) {
      case 'active':
        return color.green('● active');
      case 'cooling':
        return color.yellow(`◐ cooling ${formatDuration(snapshot.cooldownRemainingMs ?? 0)}`);
      case 'half_open':
        return color.cyan('◑ half-open');
      case 'limited':
        return color.yellow('◌ limited');
      case 'disabled':
        return color.red('✖ disabled');
    }
  }

  private draw(): void {
    const { simulation, color } = this;
    const { progress, options } = simulation;
    const elapsed = progress.startedAt === 0 ? 0 : Date.now() - progress.startedAt;
    const filled = Math.round((progress.done / Math.max(1, options.calls)) * BAR_WIDTH);
    const bar = `${color.green('█'.repeat(filled))}${color.dim('░'.repeat(BAR_WIDTH - filled))}`;
    const lines: string[] = [
      `${color.bold('keypool simulate')}  scenario ${color.bold(options.scenario)}  seed ${options.seed}  ${color.dim('(emulator on 127.0.0.1, fake keys)')}`,
      `${bar} ${progress.done}/${options.calls} calls  ${color.green(`${progress.served} served`)}  ${progress.failed > 0 ? color.red(`${progress.failed} failed`) : '0 failed'}  ${progress.inFlight} in flight  ${(elapsed / 1_000).toFixed(1)}s`,
      '',
    ];
    const status = simulation.chain?.status() ?? [];
    lines.push(
      color.dim(
        `   ${'KEY'.padEnd(12)} ${'MASKED'.padEnd(12)} ${'STATE'.padEnd(17)} BUSY CALLS   OK SERVED LATENCY FAILURES`,
      ),
    );
    for (const [index, { provider, model, pool }] of simulation.pools.entries()) {
      const step = status[index];
      const breaker =
        step?.breaker === 'open'
          ? color.yellow(`breaker open ${formatDuration(step.breakerRemainingMs ?? 0)}`)
          : step?.breaker === 'half_open'
            ? color.cyan('breaker half-open (probing)')
            : color.dim('breaker closed');
      const byKey = simulation.servedBy.get(provider);
      const served = byKey ? [...byKey.values()].reduce((sum, count) => sum + count, 0) : 0;
      lines.push(
        `${color.bold(padVisible(`${index + 1}. ${provider}`, 13))} ${padVisible(model, 22)} ${padVisible(breaker, 30)} served ${served}`,
      );
      for (const snapshot of pool.snapshot()) {
        const latency = snapshot.latencyEwmaMs === undefined ? '-' : formatDuration(snapshot.latencyEwmaMs);
        const number = (value: number, width: number) => String(value).padStart(width);
        lines.push(
          `   ${padVisible(snapshot.id, 12)} ${color.dim(padVisible(snapshot.masked, 12))} ${padVisible(this.keyState(snapshot), 17)} ` +
            `${number(snapshot.inFlight, 4)} ${number(snapshot.counts.requests, 5)} ${number(snapshot.counts.successes, 4)} ` +
            `${number(byKey?.get(snapshot.id) ?? 0, 6)} ${latency.padStart(7)} ${color.dim(formatFailures(snapshot.counts.failures))}`,
        );
      }
    }
    lines.push('', color.bold('recent'), ...this.recent.map((line) => `  ${line}`));
    this.region.render(lines.map((line) => this.redactor.scrub(line)));
  }
}
