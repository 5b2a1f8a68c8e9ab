import { describe, expect, it } from 'vitest';
import { runInTerminal } from './run-in-terminal';
import { runKeypool } from './run-keypool';

const ESC = '\u001b';
const SHOW_CURSOR = `${ESC}[?25h`;
const CLEAR_BELOW = `${ESC}[J`;
const COLOUR = new RegExp(`${ESC}\\[(?:3\\d|2|1|22|39)m`);
const MOVE_UP = new RegExp(`${ESC}\\[\\d+F$`);

/** The frames the live view drew: each is what follows a clear-to-end-of-screen, up to the next redraw. */
function frames(output: string): string[] {
  return output
    .split(CLEAR_BELOW)
    .slice(1)
    .map((frame) => frame.split(`${ESC}[?25h`)[0]!.replace(MOVE_UP, ''));
}

describe('the live view of simulate in a real terminal', () => {
  it('fits an 80x24 terminal: no frame taller than the screen scrolls into the scrollback', async () => {
    const run = await runInTerminal(['simulate', '--calls', '30', '--latency', '20', '--seed', '3'], {
      rows: 24,
      columns: 80,
    });
    expect(run.code, run.output.slice(-2_000)).toBe(0);
    const drawn = frames(run.output);
    expect(drawn.length).toBeGreaterThan(1);
    for (const frame of drawn.slice(0, -1)) expect(frame.split('\n').length - 1).toBeLessThanOrEqual(23);
    // Once events fill the "recent" list the frame outgrows the screen, and says what it left out.
    expect(drawn.some((frame) => /more lines/.test(frame))).toBe(true);
  });

  it('prints the final frame once when simulate ends', async () => {
    const run = await runInTerminal(['simulate', '--calls', '20', '--latency', '10'], {
      rows: 60,
      columns: 160,
    });
    expect(run.code).toBe(0);
    expect(run.output.split(SHOW_CURSOR).length - 1).toBe(1);
  });

  it('honours TERM=dumb: plain lines, no colour, no cursor movement', async () => {
    const run = await runInTerminal(['simulate', '--calls', '10', '--latency', '10'], {
      env: { TERM: 'dumb' },
    });
    expect(run.code).toBe(0);
    expect(run.output).not.toContain(CLEAR_BELOW);
    expect(run.output).not.toMatch(COLOUR);
    expect(run.output).toContain('keypool simulate: scenario all');
  });

  it('honours FORCE_COLOR: colours in a pipe with FORCE_COLOR=1, none with FORCE_COLOR=0 on a terminal', async () => {
    const piped = await runKeypool(['simulate', '--calls', '10', '--latency', '10', '--plain'], {
      env: { NO_COLOR: undefined, FORCE_COLOR: '1' },
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(COLOUR);
    const terminal = await runInTerminal(['simulate', '--calls', '10', '--latency', '10'], {
      env: { FORCE_COLOR: '0' },
    });
    expect(terminal.code).toBe(0);
    expect(terminal.output).not.toMatch(COLOUR);
  });
});
