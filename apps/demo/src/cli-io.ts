import { Redactor } from './redactor';

/** A stream the CLI writes to: `process.stdout`, `process.stderr`, or a test's buffer. */
export interface WritableLike {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** The terminal's height, when it is one. */
  rows?: number;
}

/** A stream the CLI reads a secret from: `process.stdin` or a test's stream. */
export type ReadableLike = NodeJS.ReadableStream & { isTTY?: boolean };

/** Everything a command touches outside itself, so commands can run in-process in tests. */
export interface CliIo {
  stdout: WritableLike;
  stderr: WritableLike;
  stdin: ReadableLike;
  env: Record<string, string | undefined>;
  /** Scrubs every known secret from everything written. */
  redactor: Redactor;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    redactor: new Redactor(),
  };
}
