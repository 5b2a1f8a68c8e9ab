import { type Command, Option } from 'commander';
import { collectRepeated } from './collect-repeated';
import type { CommandContext } from './command-context';

/** The options shared by the commands that read or change the vault. */
export function vaultOption(): Option {
  return new Option('--vault <path>', 'vault file (default: $KEYPOOL_VAULT, else ~/.keypool/vault.json)');
}

/** `--json`: machine-readable output on stdout. */
export function jsonOption(): Option {
  return new Option('--json', 'machine-readable output on stdout (nothing else is written there)');
}

/** `--base-url <provider=url>`, repeatable. */
export function baseUrlOption(): Option {
  return new Option(
    '--base-url <provider=url>',
    "send a provider's calls to this base URL (e.g. the emulator's); repeatable",
  ).argParser(collectRepeated);
}

/** Where a command takes its keys from: `--vault`, `--keys <file>`, `--env-only`. */
export function keySourceOptions(command: Command): Command {
  return command
    .addOption(vaultOption())
    .option(
      '--keys <file>',
      'read keys from this keys file (keypool.json / .yaml) instead of the vault and env',
    )
    .option('--env-only', 'use only the keys in environment variables (OPENAI_API_KEY, ...), not the vault');
}

/** A command's code: takes the context, its arguments and options; resolves with its exit code. */
export type Implementation = (context: CommandContext, ...args: never[]) => Promise<number | undefined>;

/** Wraps a command's lazily loaded code into a commander action (output, exit code, error report). */
export type CommandRunner = (load: () => Promise<Implementation>) => (...args: unknown[]) => Promise<void>;

/** Adds the arguments and options of `keys stats` / `report` to `command`. */
export function statsCommand(command: Command, run: CommandRunner): Command {
  const statsHelp =
    '\nFrom --state <file> (simulate/chat --save-state, or a pool.toJSON() document) or --url <dashboard> (a running app).' +
    '\nExamples:\n  keypool keys stats --state state.json\n  keypool report --url http://127.0.0.1:8787/ --json';
  return command
    .argument('[provider]', "only this provider's keys")
    .option('--state <file>', 'a state file or a pool.toJSON() document')
    .option('--url <dashboard>', "a running app's dashboard (its /status is read)")
    .option('--token <token>', "the dashboard's token (default: $KEYPOOL_DASHBOARD_TOKEN)")
    .addOption(jsonOption())
    .addHelpText('after', statsHelp)
    .action(run(async () => (await import('./commands/keys-stats')).keysStats as Implementation));
}
