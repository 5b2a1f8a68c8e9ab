import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { ExitCode } from './exit-codes';

/**
 * Asks for a value without echoing it (a secret or a passphrase). The prompt is drawn on stderr so that stdout stays
 * clean for `--json`. Ctrl-C or Esc cancels with exit 130.
 */
export async function promptHidden(io: CliIo, message: string): Promise<string> {
  // Loaded only when a prompt is shown: most runs (pipes, CI, KEYPOOL_PASSPHRASE) never need it.
  const { isCancel, password } = await import('@clack/prompts');
  const answer = await password({
    message,
    mask: '*',
    input: io.stdin as NodeJS.ReadableStream as never,
    output: io.stderr as never,
    validate: (value) => (value && value.trim() !== '' ? undefined : 'a value is required'),
  });
  if (isCancel(answer))
    throw new CliError('cancelled', { exitCode: ExitCode.interrupted, code: 'cancelled' });
  return answer;
}

/** Whether the CLI can prompt: both stdin and stderr are terminals. */
export function canPrompt(io: CliIo): boolean {
  return io.stdin.isTTY === true && io.stderr.isTTY === true;
}
