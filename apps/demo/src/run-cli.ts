import { type Command, CommanderError } from 'commander';
import { type CliIo, processIo } from './cli-io';
import { ExitCode } from './exit-codes';
import { createProgram } from './program';

/**
 * Runs the `keypool` CLI with the given arguments (without `node` and the script) and resolves with its exit code.
 * Help and version exit 0; any commander usage error (unknown option, missing argument) exits 2.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  const configure = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({
      // Commander echoes what was typed (an unknown command or option): it goes through the redactor like the rest.
      writeOut: (text) => io.stdout.write(io.redactor.scrub(text)),
      writeErr: (text) => io.stderr.write(io.redactor.scrub(text)),
    });
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; help shown because a subcommand is missing, and every parse error, exit 2.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    throw error;
  }
  return exitCode;
}
