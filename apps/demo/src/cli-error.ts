import { ExitCode, type ExitCodeValue } from './exit-codes';

/**
 * An error the CLI reports as it is: its message is shown to the user (it must never hold a secret) and the process
 * exits with `exitCode`. `code` is a stable machine-readable name for `--json` output.
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly code: string;

  constructor(message: string, options: { exitCode?: ExitCodeValue; code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? ExitCode.failed;
    this.code = options.code ?? 'failed';
  }

  /** A usage or configuration error (exit 2). */
  static usage(message: string, code = 'usage'): CliError {
    return new CliError(message, { exitCode: ExitCode.usage, code });
  }
}
