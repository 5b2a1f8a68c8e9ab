import { type Command, Option } from 'commander';
import { collectRepeated } from './collect-repeated';
import {
  baseUrlOption,
  type CommandRunner,
  type Implementation,
  jsonOption,
  keySourceOptions,
  statsCommand,
  vaultOption,
} from './program-options';

/** `keypool keys ...`: the vault's keys (add, list, stats, remove, switch, enable, disable, import, test). */
export function registerKeysCommands(program: Command, run: CommandRunner): void {
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
    .argument(
      '<provider>',
      'openai, anthropic, gemini, mistral; a preset: deepseek, groq, openrouter, together, fireworks, xai, cerebras, perplexity; or azure',
    )
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
        '\n  printf %s "$GROQ_KEY" | keypool keys add groq main   # an OpenAI-compatible preset' +
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

  statsCommand(
    keys
      .command('stats')
      .description(
        'per-key statistics: calls, failures by category, failure rate, cooldown, last used, last failure and why',
      ),
    run,
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
}
