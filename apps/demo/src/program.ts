import { Command } from 'commander';
import type { CliIo } from './cli-io';
import { errorReport } from './error-report';
import { ExitCode } from './exit-codes';
import { Output } from './output';
import type { CommandRunner, Implementation } from './program-options';
import { registerCallCommands } from './register-call-commands';
import { registerInitCommand } from './register-init-command';
import { registerKeysCommands } from './register-keys-commands';
import { registerServerCommands } from './register-server-commands';
import { registerWatchCommands } from './register-watch-commands';

const EXIT_CODES_HELP = `
Exit codes:
  0    ok
  1    the operation failed (a call could not be served, a key is not valid)
  2    usage or configuration error
  3    vault error: no passphrase, wrong passphrase, corrupt or truncated file
  4    not found (no such key, no such state file)
  5    conflict (the key id or the secret is already in the vault)
  6    the vault is locked by another process
  130  cancelled (Ctrl-C, or Esc at a prompt)`;

/**
 * The `keypool` program: every command, its options and help. Each command's code is loaded when it runs, so a
 * quick command (`keys add`) does not load the four provider SDKs.
 */
export function createProgram(io: CliIo, onExit: (code: number) => void): Command {
  /** Wraps a command: builds its output, runs it, maps any error to a message and an exit code. */
  const run: CommandRunner =
    (load: () => Promise<Implementation>) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args.at(-1) as Command;
      const options = command.opts();
      const positional = args.slice(0, -2);
      const out = new Output(io, { json: options.json === true });
      try {
        const implementation = await load();
        const code = await implementation({ io, out }, ...(positional as never[]), options as never);
        onExit(code ?? ExitCode.ok);
      } catch (error) {
        const report = errorReport(error);
        out.error(report);
        onExit(report.exitCode);
      }
    };

  const program = new Command('keypool')
    .description(
      'Many API keys per LLM provider: manage them, chat through a fallback chain, watch failures live.',
    )
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

  registerInitCommand(program, run);
  registerKeysCommands(program, run);
  registerWatchCommands(program, run);
  registerCallCommands(program, run);
  registerServerCommands(program, run);
  return program;
}
