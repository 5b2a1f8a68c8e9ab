import type { CliIo } from './cli-io';
import type { ErrorReport } from './error-report';

/**
 * How a command writes. Human output goes to stdout; notes, progress and prompts go to stderr. With `--json`, stdout
 * carries exactly one JSON document and nothing else (human text moves to stderr). Everything passes through the
 * redactor, so a secret can never be written.
 */
export class Output {
  readonly io: CliIo;
  readonly jsonMode: boolean;

  constructor(io: CliIo, options: { json?: boolean } = {}) {
    this.io = io;
    this.jsonMode = options.json === true;
  }

  /** Human output: stdout, or stderr in `--json` mode. */
  print(text = ''): void {
    const stream = this.jsonMode ? this.io.stderr : this.io.stdout;
    stream.write(`${this.io.redactor.scrub(text)}\n`);
  }

  /** Text written to stdout as it is (no newline added), e.g. a streamed answer. Stderr in `--json` mode. */
  write(text: string): void {
    const stream = this.jsonMode ? this.io.stderr : this.io.stdout;
    stream.write(this.io.redactor.scrub(text));
  }

  /** A note for the person at the terminal: always stderr. */
  note(text: string): void {
    this.io.stderr.write(`${this.io.redactor.scrub(text)}\n`);
  }

  /** The command's machine-readable result: one JSON document on stdout (only in `--json` mode). */
  json(value: unknown): void {
    if (!this.jsonMode) return;
    this.io.stdout.write(`${this.io.redactor.scrub(JSON.stringify(value, null, 2))}\n`);
  }

  /** Reports a failure: the message on stderr, and in `--json` mode an `{ ok: false, error }` document on stdout. */
  error(report: ErrorReport): void {
    this.note(`keypool: ${report.message}`);
    if (this.jsonMode) this.json({ ok: false, error: report });
  }
}
