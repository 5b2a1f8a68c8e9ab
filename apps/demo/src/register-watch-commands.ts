import type { Command } from 'commander';
import {
  type CommandRunner,
  type Implementation,
  jsonOption,
  statsCommand,
  vaultOption,
} from './program-options';

/** The commands that show the keys' live state: `status`, `report` and `dashboard`. */
export function registerWatchCommands(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description('a table of every key: status, cooldown left, calls, failures by category, latency')
    .option(
      '--url <dashboard>',
      "a running app's dashboard (keypool dashboard, or @keypool/dashboard mounted in it)",
    )
    .option('--token <token>', "the dashboard's token (default: $KEYPOOL_DASHBOARD_TOKEN)")
    .option('--watch', 'with --url: a live table, refreshed in place until Ctrl-C')
    .option('--interval <ms>', 'with --watch: time between refreshes', Number, 1_000)
    .option('--count <n>', 'with --watch: stop after this many refreshes', Number)
    .option(
      '--state <file>',
      'a state file written by `simulate --save-state` / `chat --save-state`, or a pool.toJSON() document',
    )
    .addOption(vaultOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      "\nWith --url: the live state read from the dashboard's /status (--watch keeps it on screen)." +
        "\nWith --state: the pools' state as saved (cooldowns counted down to now)." +
        "\nWithout: the vault's keys and whether each is enabled (a pool's live state exists only in a running process).",
    )
    .action(run(async () => (await import('./commands/status')).status as Implementation));

  statsCommand(
    program
      .command('report')
      .description('per-key statistics and per-provider totals (the same as `keys stats`)'),
    run,
  );

  program
    .command('dashboard')
    .description(
      'serve the live dashboard (page, /status, /metrics, /events) for a state file or a simulation',
    )
    .option('--state <file>', 'a state file or pool.toJSON() document (re-read when it changes)')
    .option('--simulate [scenario]', 'run the demo simulation in this process and show it live')
    .option('--calls <n>', 'with --simulate: calls to make', Number, 600)
    .option('--port <n>', 'port (0 picks a free one)', Number, 8788)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--token <token>', 'require this token (default: $KEYPOOL_DASHBOARD_TOKEN, else none)')
    .addOption(jsonOption())
    .addHelpText('after', '\nServes until Ctrl-C. With --json, prints one line { url }.')
    .action(run(async () => (await import('./commands/dashboard')).dashboard as Implementation));
}
