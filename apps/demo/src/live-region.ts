import type { WritableLike } from './cli-io';
import { visibleLength } from './format-table';

const CSI = '\u001b[';

/** Cuts a line to `width` visible characters, keeping ANSI codes intact and resetting colours at the cut. */
function truncate(line: string, width: number): string {
  if (visibleLength(line) <= width) return line;
  let out = '';
  let visible = 0;
  for (let index = 0; index < line.length && visible < width - 1; ) {
    if (line[index] === '\u001b') {
      const end = line.indexOf('m', index);
      if (end === -1) break;
      out += line.slice(index, end + 1);
      index = end + 1;
      continue;
    }
    out += line[index];
    visible++;
    index++;
  }
  return `${out}…${CSI}0m`;
}

/**
 * A block of lines at the bottom of a terminal, redrawn in place: each `render` moves the cursor back to the block's
 * first line, clears to the end of the screen and writes the new lines. Lines are cut to the terminal's width so
 * that none wraps (a wrapped line would break the count of lines to move back over), and the block to the
 * terminal's height less one row: a taller block would scroll its top into the scrollback, where the cursor can no
 * longer move back, and every frame would pile up there.
 */
export class LiveRegion {
  private readonly stream: WritableLike;
  private lines = 0;
  private cursorHidden = false;

  constructor(stream: WritableLike) {
    this.stream = stream;
  }

  /** Replaces the block with these lines. */
  render(lines: readonly string[]): void {
    const width = Math.max(20, (this.stream.columns ?? 100) - 1);
    const rows = this.stream.rows;
    let shown = lines;
    if (rows !== undefined && rows > 0 && lines.length > rows - 1) {
      const room = Math.max(1, rows - 2);
      shown = [...lines.slice(0, room), `… ${lines.length - room} more lines (a taller terminal shows them)`];
    }
    let text = this.cursorHidden ? '' : `${CSI}?25l`;
    this.cursorHidden = true;
    if (this.lines > 0) text += `${CSI}${this.lines}F`;
    text += `${CSI}J`;
    for (const line of shown) text += `${truncate(line, width)}\n`;
    this.stream.write(text);
    this.lines = shown.length;
  }

  /** Leaves the last block on screen and shows the cursor again. */
  done(): void {
    if (this.cursorHidden) this.stream.write(`${CSI}?25h`);
    this.cursorHidden = false;
    this.lines = 0;
  }
}
