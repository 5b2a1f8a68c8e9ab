import type { Colors } from '../colors';
import { formatDuration } from '../format-duration';
import type { SimulationEvent } from './simulation-event';

/** Seconds since the start, fixed width: ` 3.42s`. */
export function formatClock(ms: number): string {
  return `${(ms / 1_000).toFixed(2).padStart(6)}s`;
}

/**
 * One event as one line of text (no time stamp), or `undefined` for events not worth a line on their own
 * (progress is drawn by the views).
 */
export function describeEvent(event: SimulationEvent, color: Colors): string | undefined {
  switch (event.kind) {
    case 'action':
      return color.bold(`>> ${event.label}`);
    case 'disabled':
      return `${color.red('disabled')}  ${event.provider}/${event.keyId} ${color.dim(event.masked)}  ${event.reason}`;
    case 'cooldown':
      return `${color.yellow('cooling')}   ${event.provider}/${event.keyId} ${color.dim(event.masked)}  ${event.category} for ${formatDuration(event.durationMs)}`;
    case 'recovered':
      return `${color.green('recovered')} ${event.provider}/${event.keyId} ${color.dim(event.masked)}  probe succeeded`;
    case 'retry':
      return `${color.cyan('rotate')}    ${event.provider}: ${event.category} on ${event.fromKeyId}, retrying on another key`;
    case 'fallback':
      return `${color.cyan('fallback')}  ${event.from} -> ${event.to}  (${event.reason})`;
    case 'breaker':
      return event.state === 'open'
        ? `${color.yellow('breaker')}   ${event.step} open${event.durationMs === undefined ? '' : ` for ${formatDuration(event.durationMs)}`}`
        : event.state === 'half_open'
          ? `${color.yellow('breaker')}   ${event.step} half-open: one probe call`
          : `${color.green('breaker')}   ${event.step} closed: back in service`;
    case 'failed':
      return `${color.red('FAILED')}    call ${event.call}: ${event.message}`;
    case 'progress':
      return `${color.dim('progress')}  ${event.done}/${event.total} calls done, ${event.served} served`;
  }
}

/**
 * Repeated events (every call falling back while a breaker is open, every 429 of a busy key) are shown once per
 * interval with a count of the ones held back: `(+12 more)`. Returns the line to print, or undefined to hold back.
 */
export class EventThrottle {
  private readonly last = new Map<string, { at: number; held: number }>();
  private readonly intervalMs: number;

  constructor(intervalMs = 1_000) {
    this.intervalMs = intervalMs;
  }

  /** The identity of an event for throttling, or undefined for events always shown. */
  private keyOf(event: SimulationEvent): string | undefined {
    switch (event.kind) {
      case 'fallback':
        return `fallback:${event.from}:${event.to}:${event.reason}`;
      case 'cooldown':
        return `cooldown:${event.provider}:${event.keyId}:${event.category}`;
      case 'retry':
        return `retry:${event.provider}:${event.fromKeyId}:${event.category}`;
      case 'breaker':
        return `breaker:${event.step}:${event.state}`;
      default:
        return undefined;
    }
  }

  /** Whether to show the event now, and how many like it were held back since the last one shown. */
  admit(event: SimulationEvent): { show: boolean; held: number } {
    const key = this.keyOf(event);
    if (key === undefined) return { show: true, held: 0 };
    const previous = this.last.get(key);
    if (previous && event.at - previous.at < this.intervalMs) {
      previous.held++;
      return { show: false, held: 0 };
    }
    this.last.set(key, { at: event.at, held: 0 });
    return { show: true, held: previous?.held ?? 0 };
  }
}
