/** ANSI colours for terminal views; `plain` is the same set doing nothing (pipes, CI, NO_COLOR). */
export interface Colors {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const ANSI: Colors = {
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  cyan: wrap(36, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

const PLAIN: Colors = {
  green: (text) => text,
  yellow: (text) => text,
  red: (text) => text,
  cyan: (text) => text,
  dim: (text) => text,
  bold: (text) => text,
};

/**
 * Colours for a stream. `FORCE_COLOR` decides first (`0` or `false`: none; any other value: ANSI even in a pipe),
 * then `NO_COLOR` (none), then `TERM=dumb` (none); otherwise ANSI on a terminal and plain elsewhere.
 */
export function colorsFor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): Colors {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force === '0' || force.toLowerCase() === 'false' ? PLAIN : ANSI;
  if (env.NO_COLOR) return PLAIN;
  if (env.TERM === 'dumb') return PLAIN;
  return stream.isTTY === true ? ANSI : PLAIN;
}

/** True when the stream can take a redrawn-in-place view: a terminal that is not `TERM=dumb`. */
export function canRedraw(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}
