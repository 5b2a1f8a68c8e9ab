import type { Command } from 'commander';
import { type CommandRunner, type Implementation, jsonOption, vaultOption } from './program-options';

/** The commands that serve: `serve` (the gateway) and `emulator`. */
export function registerServerCommands(program: Command, run: CommandRunner): void {
  program
    .command('serve')
    .description("serve the keys file's pools and chains as an OpenAI- and Anthropic-compatible gateway")
    .option(
      '--config <file>',
      'keys file with a `gateway` section (default: keypool.json / .yaml in this directory)',
    )
    .option('--host <address>', "interface to listen on (default: the file's gateway.host, else 127.0.0.1)")
    .option('--port <n>', "port, 0 picks a free one (default: the file's gateway.port, else 8787)", Number)
    .option(
      '--dashboard [path]',
      "mount the live dashboard (page, status, events) at path (default: the file's gateway.dashboard, else /dashboard)",
    )
    .option(
      '--metrics [path]',
      "mount Prometheus metrics at path (default: the file's gateway.metrics, else /metrics)",
    )
    .option('--log', 'one line per request on stderr (ids and numbers, never a key)')
    .option('--hash-key', 'read a virtual key on stdin and print its sha256: form for gateway.virtualKeys')
    .addOption(vaultOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nOpenAI SDKs: baseURL http://127.0.0.1:8787/v1; Anthropic SDKs: baseURL http://127.0.0.1:8787.' +
        '\nThe dashboard and metrics are behind the virtual keys when the file has any (a browser: ?token=<virtual key>).' +
        '\nCtrl-C or SIGTERM drains the requests in flight, then exits 0.',
    )
    .action(run(async () => (await import('./commands/serve')).serve as Implementation));

  program
    .command('emulator')
    .description('run the provider emulator in the foreground until Ctrl-C')
    .option('--port <n>', 'port (0 picks a free one)', Number, 8787)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--config <file>', 'emulator config (JSON): keys, models, windowMs... (default: accept any key)')
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/emulator')).emulator as Implementation));
}
