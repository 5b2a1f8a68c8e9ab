import type { WritableLike } from '../cli-io';
import type { Colors } from '../colors';
import type { Redactor } from '../redactor';
import { describeEvent, EventThrottle, formatClock } from './describe-event';
import type { SimulationEvent } from './simulation-event';

/**
 * The plain view (not a terminal, CI, `--plain`): one line per event, with the time since the start. Repeats are
 * throttled to one line a second per kind and key, with a count of the ones held back.
 */
export class EventLog {
  private readonly stream: WritableLike;
  private readonly color: Colors;
  private readonly redactor: Redactor;
  private readonly throttle = new EventThrottle();

  constructor(stream: WritableLike, color: Colors, redactor: Redactor) {
    this.stream = stream;
    this.color = color;
    this.redactor = redactor;
  }

  /** Prints one event (or holds it back). */
  write(event: SimulationEvent): void {
    const { show, held } = this.throttle.admit(event);
    if (!show) return;
    const text = describeEvent(event, this.color);
    if (text === undefined) return;
    const more = held > 0 ? this.color.dim(`  (+${held} more)`) : '';
    this.stream.write(this.redactor.scrub(`${this.color.dim(formatClock(event.at))}  ${text}${more}\n`));
  }
}
