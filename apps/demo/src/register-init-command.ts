import type { Command } from 'commander';
import { collectRepeated } from './collect-repeated';
import { type CommandRunner, type Implementation, jsonOption, vaultOption } from './program-options';

/** `keypool init`: the guided setup. */
export function registerInitCommand(program: Command, run: CommandRunner): void {
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
}
