import { Command, Option } from 'commander';
import type { CliIo } from './cli-io';
import { collectRepeated } from './collect-repeated';
import type { CommandContext } from './command-context';
import { errorReport } from './error-report';
import { ExitCode } from './exit-codes';
import { Output } from './output';

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

/** The options shared by the commands that read or change the vault. */
function vaultOption(): Option {
  return new Option('--vault <path>', 'vault file (default: $KEYPOOL_VAULT, else ~/.keypool/vault.json)');
}

function jsonOption(): Option {
  return new Option('--json', 'machine-readable output on stdout (nothing else is written there)');
}

function baseUrlOption(): Option {
  return new Option(
    '--base-url <provider=url>',
    "send a provider's calls to this base URL (e.g. the emulator's); repeatable",
  ).argParser(collectRepeated);
}

function keySourceOptions(command: Command): Command {
  return command
    .addOption(vaultOption())
    .option(
      '--keys <file>',
      'read keys from this keys file (keypool.json / .yaml) instead of the vault and env',
    )
    .option('--env-only', 'use only the keys in environment variables (OPENAI_API_KEY, ...), not the vault');
}

type Implementation = (context: CommandContext, ...args: never[]) => Promise<number | undefined>;

/**
 * The `keypool` program: every command, its options and help. Each command's code is loaded when it runs, so a
 * quick command (`keys add`) does not load the four provider SDKs.
 */
export function createProgram(io: CliIo, onExit: (code: number) => void): Command {
  /** Wraps a command: builds its output, runs it, maps any error to a message and an exit code. */
  const run =
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

  program
    .command('init')
    .description(
      'guided setup: which providers, their keys into the vault (typed hidden), limits and a strategy, into a keys file',
    )
    .option('--yes', 'ask nothing: take everything from the flags and the secrets from stdin (for scripts)')
    .option(
      '--key <provider:id>',
      'with --yes: a key to add, e.g. openai:main; its secret is the next line of stdin; repeatable',
      collectRepeated,
    )
    .option(
      '--strategy <name>',
      'with --yes: health (default), round-robin, least-used, weighted, random, latency',
    )
    .option(
      '--rpm <n|provider=n>',
      'with --yes: requests per minute per key (all, or one provider); repeatable',
      collectRepeated,
    )
    .option('--tpm <n|provider=n>', 'with --yes: tokens per minute per key; repeatable', collectRepeated)
    .option('--rpd <n|provider=n>', 'with --yes: requests per day per key; repeatable', collectRepeated)
    .option('--file <path>', 'the keys file to write', 'keypool.json')
    .option('--force', 'replace the keys file if it exists')
    .addOption(vaultOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nThe keys file refers to the vault entries ("from": "vault:openai/main"); no secret is ever written to it.' +
        '\n\nExamples:\n  keypool init                 # asks, on a terminal' +
        '\n  printf "%s\\n" "$K1" "$K2" | keypool init --yes --key openai:main --key anthropic:main --rpm openai=500',
    )
    .action(run(async () => (await import('./commands/init')).init as Implementation));

  const keys = program
    .command('keys')
    .description('manage the keys in the encrypted vault')
    .addHelpText(
      'after',
      '\nThe vault passphrase comes from KEYPOOL_PASSPHRASE, else a hidden prompt on a terminal.' +
        '\nWithout either, vault commands exit 3.',
    );

  keys
    .command('add')
    .description('store a key: the secret is read from stdin when piped, else from a hidden prompt')
    .argument('<provider>', 'openai, anthropic, gemini or mistral')
    .argument('<id>', 'a name for the key, unique for the provider (e.g. main, team-b)')
    .addOption(vaultOption())
    .option('--primary', "make it the provider's primary key (listed and used first)")
    .option('--label <text>', 'a free-form label')
    .option('--weight <n>', 'weight for the weighted strategy', Number)
    .option('--rpm <n>', 'requests per minute this key may make', Number)
    .option('--tpm <n>', 'tokens per minute', Number)
    .option('--rpd <n>', 'requests per day', Number)
    .option('--disabled', 'store it disabled (kept out of the pool until enabled)')
    .option(
      '--machine-bound',
      'encrypt a new vault with a key bound to this machine and user instead of a passphrase (WEAKER: anyone who can run code as this user here can read it)',
    )
    .addOption(
      new Option(
        '--secret <value>',
        'the secret on the command line: refused without --force-argv',
      ).hideHelp(),
    )
    .option(
      '--force-argv',
      'accept --secret <value> on the command line although other users see it in `ps` and it stays in shell history',
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nExamples:\n  printf %s "$OPENAI_KEY" | keypool keys add openai main --primary\n  keypool keys add anthropic team-b          # asks for the secret, hidden' +
        '\n  printf %s "$KEY" | keypool keys add openai ci --machine-bound   # no passphrase on this machine',
    )
    .action(run(async () => (await import('./commands/keys-add')).keysAdd as Implementation));

  keys
    .command('list')
    .alias('ls')
    .description("list the vault's keys, masked: provider, id, status, primary")
    .argument('[provider]', "only this provider's keys")
    .option('--state <file>', 'also show calls, last used and last failure from this state file')
    .option('--url <dashboard>', "also show calls, last used and last failure from a running app's dashboard")
    .option('--token <token>', "the dashboard's token (default: $KEYPOOL_DASHBOARD_TOKEN)")
    .addOption(vaultOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/keys-list')).keysList as Implementation));

  const statsHelp =
    '\nFrom --state <file> (simulate/chat --save-state, or a pool.toJSON() document) or --url <dashboard> (a running app).' +
    '\nExamples:\n  keypool keys stats --state state.json\n  keypool report --url http://127.0.0.1:8787/ --json';
  const statsCommand = (command: Command) =>
    command
      .argument('[provider]', "only this provider's keys")
      .option('--state <file>', 'a state file or a pool.toJSON() document')
      .option('--url <dashboard>', "a running app's dashboard (its /status is read)")
      .option('--token <token>', "the dashboard's token (default: $KEYPOOL_DASHBOARD_TOKEN)")
      .addOption(jsonOption())
      .addHelpText('after', statsHelp)
      .action(run(async () => (await import('./commands/keys-stats')).keysStats as Implementation));
  statsCommand(
    keys
      .command('stats')
      .description(
        'per-key statistics: calls, failures by category, failure rate, cooldown, last used, last failure and why',
      ),
  );

  keys
    .command('remove')
    .alias('rm')
    .description('delete a key from the vault')
    .argument('<provider>')
    .argument('<id>')
    .addOption(vaultOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/keys-change')).keysRemove as Implementation));

  keys
    .command('switch')
    .description(
      "make a key its provider's primary key: listed first, and with KEYPOOL_STRATEGY=priority it takes every call until it fails (running apps that watch the vault follow)",
    )
    .argument('<provider>')
    .argument('<id>')
    .addOption(vaultOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/keys-change')).keysSwitch as Implementation));

  keys
    .command('enable')
    .description('put a disabled key back into the pool')
    .argument('<provider>')
    .argument('<id>')
    .addOption(vaultOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/keys-change')).keysEnable as Implementation));

  keys
    .command('disable')
    .description('keep a key in the vault but out of the pool')
    .argument('<provider>')
    .argument('<id>')
    .option('--reason <text>', 'why (shown by keys list)')
    .addOption(vaultOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/keys-change')).keysDisable as Implementation));

  keys
    .command('import-env')
    .description(
      'copy the keys found in environment variables (OPENAI_API_KEY, ...) into the vault; skips duplicates',
    )
    .addOption(vaultOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/keys-import-env')).keysImportEnv as Implementation));

  keys
    .command('import')
    .description(
      'read a keys.json file (key_id, api_key, provider, model_name, rpm, tpm, rpd, active, tags): secrets into the vault, the rest into a keys file',
    )
    .argument('<file>', 'the keys.json file')
    .option('--out <file>', 'the keys file to write', 'keypool.json')
    .option('--force', 'replace the keys file if it exists')
    .addOption(vaultOption())
    .addOption(jsonOption())
    .action(run(async () => (await import('./commands/keys-import')).keysImport as Implementation));

  keySourceOptions(
    keys
      .command('test')
      .description(
        'make one minimal live call per key, in parallel, and report each: valid, invalid, rate-limited, quota, error',
      )
      .argument('[provider]', "only this provider's keys"),
  )
    .addOption(baseUrlOption())
    .option('--model <provider=model>', 'the model to call for a provider; repeatable', collectRepeated)
    .option('--timeout <ms>', 'per-key timeout', Number, 20_000)
    .addOption(jsonOption())
    .addHelpText('after', '\nExits 1 when any key is not valid.')
    .action(run(async () => (await import('./commands/keys-test')).keysTest as Implementation));

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

  keySourceOptions(
    program
      .command('chat')
      .description('answer a prompt through a fallback chain of provider pools')
      .argument('<prompt>', 'what to ask'),
  )
    .option(
      '--chain <steps>',
      'provider:model steps in order, e.g. anthropic:claude-haiku-4-5,openai:gpt-4o-mini (default: every provider with keys)',
    )
    .option('--stream', 'print the answer as it arrives')
    .option('--system <text>', 'a system message')
    .option('--max-tokens <n>', 'answer length limit', Number)
    .option('--emulator', 'run against an in-process emulator with fake keys (offline, no real key used)')
    .option('--emulator-config <file>', 'with --emulator: an emulator config (JSON) to make it misbehave')
    .addOption(baseUrlOption())
    .option('--timeout <ms>', "the whole call's deadline", Number, 60_000)
    .option(
      '--save-state <file>',
      "restore the pools' state from this file when it exists, and save it back after the call",
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nThe answer goes to stdout; who served it and every attempt go to stderr (or all of it in --json).' +
        '\nKeys: --keys <file>, else the vault (when it exists) plus environment variables.' +
        '\n\nExamples:\n  keypool chat "Hello" --emulator\n  keypool chat "Hello" --chain anthropic:claude-haiku-4-5,openai:gpt-4o-mini --stream',
    )
    .action(run(async () => (await import('./commands/chat')).chat as Implementation));

  program
    .command('simulate')
    .description(
      'THE DEMO: fake keys on a local emulator, failures injected, calls flowing, a live view of every key',
    )
    .argument('[scenario]', 'all (default), revoked, rate-limit, outage or quota', 'all')
    .option('--calls <n>', 'calls to make', Number, 120)
    .option('--concurrency <n>', 'calls in flight', Number, 8)
    .option('--seed <n>', "seed of the fake keys and the emulator's randomness", Number, 1)
    .option('--latency <ms>', "the emulated providers' base latency", Number, 700)
    .option(
      '--save-state <file>',
      "write the pools' final state here (read it with `keypool status --state`)",
    )
    .option('--plain', 'line-by-line events even on a terminal')
    .option('--quiet', 'no events, only the summary')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      '\nNo network, no real key: the emulator runs in this process on 127.0.0.1.' +
        '\nOn a terminal the view redraws in place; elsewhere (CI) each event is one line.' +
        '\nWith --json the summary is the only thing on stdout; events go to stderr.',
    )
    .action(run(async () => (await import('./commands/simulate')).simulate as Implementation));

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

  return program;
}
