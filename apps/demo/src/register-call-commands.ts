import type { Command } from 'commander';
import {
  baseUrlOption,
  type CommandRunner,
  type Implementation,
  jsonOption,
  keySourceOptions,
} from './program-options';

/** The commands that make calls: `chat` through a fallback chain, and `simulate` (the demo). */
export function registerCallCommands(program: Command, run: CommandRunner): void {
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
    .option(
      '--provider <name>',
      'one provider only, e.g. groq (its small default model, or --model); instead of --chain',
    )
    .option('--model <name>', 'with --provider: the model to ask for')
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
        '\nProviders: openai, anthropic, gemini, mistral; the OpenAI-compatible presets deepseek, groq, openrouter,' +
        '\ntogether, fireworks, xai, cerebras, perplexity (GROQ_API_KEY...); azure (keys file endpoint/apiVersion/deployment,' +
        '\nelse AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION).' +
        '\n\nExamples:\n  keypool chat "Hello" --emulator\n  keypool chat "Hello" --chain anthropic:claude-haiku-4-5,openai:gpt-4o-mini --stream' +
        '\n  keypool chat "Hello" --provider groq --model llama-3.3-70b-versatile',
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
}
