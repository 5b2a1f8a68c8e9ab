import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { canPrompt, promptHidden } from './prompt-hidden';

/** How `keys add` was told the secret. */
export interface SecretInputOptions {
  /** `--secret <value>`: refused unless `forceArgv` is set. */
  secret?: string;
  /** `--force-argv`: accept a secret from the command line anyway. */
  forceArgv?: boolean;
  /** What the prompt says. */
  prompt: string;
}

const MAX_STDIN_BYTES = 64 * 1024;

/** Reads all of stdin (a pipe or a file), up to 64 KiB. */
async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_STDIN_BYTES)
      throw CliError.usage('the secret on stdin is longer than 64 KiB', 'bad_secret');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The secret for `keys add`, from the safest channel available:
 * - piped stdin (`printf %s "$KEY" | keypool keys add openai main`): read whole, surrounding whitespace trimmed;
 * - a terminal: a hidden prompt;
 * - `--secret <value>` only with `--force-argv`, because a command line is visible to every user of the machine
 *   (`ps`, `/proc/<pid>/cmdline`) and is kept in shell history.
 */
export async function readSecret(io: CliIo, options: SecretInputOptions): Promise<string> {
  if (options.secret !== undefined) {
    if (!options.forceArgv) {
      throw CliError.usage(
        'refusing a secret given on the command line: other users can read it in `ps` and it stays in your shell ' +
          'history. Pipe it on stdin (printf %s "$KEY" | keypool keys add ...) or type it at the prompt; ' +
          'add --force-argv to accept the risk',
        'secret_in_argv',
      );
    }
    const secret = options.secret.trim();
    if (secret === '') throw CliError.usage('--secret is empty', 'bad_secret');
    io.redactor.add(secret);
    return secret;
  }
  if (io.stdin.isTTY !== true) {
    const text = (await readStdin(io)).trim();
    if (text === '') throw CliError.usage('no secret on stdin (it was empty)', 'bad_secret');
    if (/\s/.test(text))
      throw CliError.usage(
        'the secret on stdin contains whitespace or several lines: pipe one key',
        'bad_secret',
      );
    io.redactor.add(text);
    return text;
  }
  if (!canPrompt(io)) throw CliError.usage('no secret: pipe it on stdin or run in a terminal', 'bad_secret');
  const secret = (await promptHidden(io, options.prompt)).trim();
  io.redactor.add(secret);
  return secret;
}
