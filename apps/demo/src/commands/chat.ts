import { existsSync } from 'node:fs';
import { type ChatMessage, type ChatRequest, ConfigError, type KeyConfig, type KeyPool } from '@keypool/core';
import { type EmulatorConfig, startEmulator } from '@keypool/emulator';
import {
  type ChainAttempt,
  ChainExhaustedError,
  type ChainStep,
  createFallbackChain,
  type FallbackChatResult,
} from '@keypool/fallback';
import {
  emptyProviderKeys,
  type PoolOptions,
  type ProviderId,
  providerFamily,
  providerLabel,
  strategyFromEnv,
} from '@keypool/keystore';
import { parseBaseUrls } from '../base-url-option';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { createProviderPool } from '../create-provider-pool';
import { errorReport } from '../error-report';
import { ExitCode } from '../exit-codes';
import { fakeSecret } from '../fake-keys';
import { formatDuration } from '../format-duration';
import { type KeySourceOptions, loadKeys, type ProviderSettings } from '../load-keys';
import { type ChainSpecStep, parseChain } from '../parse-chain';
import { CHAIN_ORDER, DEFAULT_MODELS, PROVIDERS, parseProvider } from '../providers';
import { readStateFile, saveStateFile } from '../state-file';
import { readEmulatorConfig } from './emulator';

/** `chat` options. */
export interface ChatOptions extends KeySourceOptions {
  chain?: string;
  /** `--provider <name>`: one provider only (its default model, or `--model`). */
  provider?: string;
  model?: string;
  stream?: boolean;
  system?: string;
  maxTokens?: number;
  emulator?: boolean;
  emulatorConfig?: string;
  baseUrl?: string[];
  timeout: number;
  saveState?: string;
  json?: boolean;
}

/** One attempt as a line: `1. anthropic:claude-x  key main (sk-a...9f2c)  failure overloaded  312ms`. */
function attemptLine(attempt: ChainAttempt, index: number): string {
  const key = attempt.keyId ? `key ${attempt.keyId} (${attempt.maskedKey})` : 'no key';
  const why = attempt.category ?? attempt.reason ?? '';
  return `  ${index + 1}. ${attempt.name}  ${key}  ${attempt.outcome}${why ? ` ${why}` : ''}  ${formatDuration(attempt.durationMs)}`;
}

/**
 * `keypool chat "prompt"`: answers through a fallback chain of provider pools and prints the answer on stdout, then
 * who served it and every attempt on stderr (everything in one document with `--json`). Exits 1 when no step could
 * serve, 2 when no step has keys.
 */
export async function chat(
  { io, out }: CommandContext,
  prompt: string,
  options: ChatOptions,
): Promise<number> {
  if (!Number.isFinite(options.timeout) || options.timeout <= 0)
    throw CliError.usage('--timeout must be a positive number of ms', 'bad_option');
  if (options.maxTokens !== undefined && !(Number.isInteger(options.maxTokens) && options.maxTokens > 0))
    throw CliError.usage('--max-tokens must be a positive integer', 'bad_option');
  if (options.emulatorConfig && !options.emulator)
    throw CliError.usage('--emulator-config needs --emulator', 'bad_option');
  if (options.provider && options.chain)
    throw CliError.usage('give --provider or --chain, not both', 'bad_option');
  if (options.model && !options.provider)
    throw CliError.usage(
      '--model needs --provider (or name the model in --chain provider:model)',
      'bad_option',
    );
  const baseUrls = parseBaseUrls(options.baseUrl);
  let settings: Partial<Record<ProviderId, ProviderSettings>> = {};

  let keys: Record<ProviderId, KeyConfig[]>;
  let poolOptions: Partial<Record<ProviderId, PoolOptions>> = {};
  let specs: ChainSpecStep[] | undefined = options.chain ? parseChain(options.chain) : undefined;
  if (options.provider) {
    const provider = parseProvider(options.provider);
    specs = [{ provider, model: options.model ?? DEFAULT_MODELS[provider] }];
  }
  let source: string;
  let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;
  try {
    if (options.emulator) {
      const config: EmulatorConfig = options.emulatorConfig
        ? await readEmulatorConfig(options.emulatorConfig)
        : {};
      emulator = await startEmulator({ acceptAnyKey: true, ...config, port: 0, host: '127.0.0.1' });
      keys = emptyProviderKeys();
      for (const provider of PROVIDERS) {
        for (const index of [1, 2]) {
          const secret = fakeSecret(provider, index, 'chat', 'chat');
          io.redactor.add(secret);
          keys[provider].push({ id: `${provider}-${index}`, secret });
        }
        // The presets speak OpenAI's API; Azure has its own route on the emulator.
        if (provider === 'azure')
          settings.azure = { endpoint: emulator.azureOpenAIEndpoint, apiVersion: '2024-10-21' };
        else baseUrls[provider] = emulator.baseURLs[providerFamily(provider)];
      }
      source = `emulator ${emulator.url} (fake keys)`;
    } else {
      const loaded = await loadKeys(io, options);
      keys = loaded.keys;
      poolOptions = loaded.pools;
      settings = loaded.settings;
      source = loaded.source;
      for (const warning of loaded.warnings) out.note(`warning: ${warning}`);
      specs ??= loaded.chains.default?.map((step) => ({ ...step }));
    }
    // A chain of every provider with keys (none named one): a provider whose pool cannot be built is skipped.
    const automatic = specs === undefined;
    specs ??= CHAIN_ORDER.filter((provider) => keys[provider].length > 0).map((provider) => ({
      provider,
      model: DEFAULT_MODELS[provider],
    }));

    const missing = [
      ...new Set(specs.filter((step) => keys[step.provider].length === 0).map((s) => s.provider)),
    ];
    const usable = specs.filter((step) => keys[step.provider].length > 0);
    if (usable.length === 0) {
      throw CliError.usage(
        `no keys for ${missing.length > 0 ? missing.join(', ') : 'any provider'} in ${source}: add one with ` +
          '`keypool keys add <provider> <id>`, set OPENAI_API_KEY (...), pass --keys <file>, or try --emulator',
        'no_keys',
      );
    }
    if (missing.length > 0) out.note(`skipping ${missing.join(', ')}: no keys in ${source}`);

    const saved =
      options.saveState && existsSync(options.saveState) ? await readStateFile(options.saveState) : undefined;
    const pools = new Map<ProviderId, KeyPool>();
    // KEYPOOL_STRATEGY (e.g. `priority`: the vault's primary key, `keypool keys switch`, serves until it fails),
    // unless the keys file names a strategy.
    const envStrategy = strategyFromEnv(io.env);
    for (const step of [...usable]) {
      if (pools.has(step.provider)) continue;
      const initialState = saved?.pools.find((pool) => pool.provider === providerLabel(step.provider))?.state;
      const { baseURL: fileBaseURL, ...azure } = settings[step.provider] ?? {};
      let pool: KeyPool;
      try {
        pool = createProviderPool(step.provider, {
          ...(envStrategy ? { strategy: envStrategy } : {}),
          ...(poolOptions[step.provider] ?? {}),
          keys: keys[step.provider],
          baseURL: baseUrls[step.provider] ?? fileBaseURL,
          ...(step.provider === 'azure' ? { azure, env: io.env } : {}),
          maxWaitMs: 0,
          ...(initialState ? { initialState } : {}),
        });
      } catch (error) {
        // e.g. AZURE_OPENAI_API_KEY set without AZURE_OPENAI_ENDPOINT: named chains fail, the automatic one goes on.
        if (!automatic || !ConfigError.isInstance(error) || usable.length === 1) throw error;
        out.note(`skipping ${step.provider}: ${error.message}`);
        usable.splice(usable.indexOf(step), 1);
        continue;
      }
      pools.set(step.provider, pool);
    }
    const steps: ChainStep[] = usable.map((step) => ({
      pool: pools.get(step.provider)!,
      model: step.model,
      ...(step.contextWindow === undefined ? {} : { contextWindow: step.contextWindow }),
      ...(step.maxTokens === undefined ? {} : { maxTokens: step.maxTokens }),
      ...(step.temperature === undefined ? {} : { temperature: step.temperature }),
    }));
    const chain = createFallbackChain(steps, { deadlineMs: options.timeout });
    chain.on('fallback.step', (event) =>
      out.note(`fallback ${event.from.name} -> ${event.to.name}: ${event.reason} (${event.message})`),
    );

    const messages: ChatMessage[] = [
      ...(options.system ? [{ role: 'system' as const, content: options.system }] : []),
      { role: 'user', content: prompt },
    ];
    const request: ChatRequest = {
      model: '',
      messages,
      ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    };

    let result: FallbackChatResult | undefined;
    let exitCode: number = ExitCode.ok;
    try {
      if (options.stream) {
        for await (const event of chain.stream(request)) {
          if (event.type === 'delta') {
            if (!out.jsonMode) out.write(event.text);
          } else if (event.type === 'restart') {
            // The stream broke and the answer starts again: what was printed above is discarded.
            if (!out.jsonMode) out.write(`\n[the answer restarts (${event.reason})]\n`);
          } else if (event.type === 'done') result = event.result;
        }
        if (!out.jsonMode) out.write('\n');
      } else {
        result = await chain.chat(request);
        if (!out.jsonMode) out.print(result.text);
      }
    } catch (error) {
      const report = errorReport(error);
      const attempts = ChainExhaustedError.isInstance(error) ? error.attempts : [];
      out.note(`keypool: ${report.message}`);
      for (const [index, attempt] of attempts.entries()) out.note(attemptLine(attempt, index));
      out.json({ ok: false, error: report, attempts });
      exitCode = report.exitCode;
    }
    if (options.saveState) await saveStateFile(options.saveState, 'chat', [...pools.values()]);
    if (result) {
      const { served, attempts } = result;
      out.json({
        ok: true,
        text: result.text,
        finishReason: result.finishReason,
        served,
        usage: result.usage,
        attempts,
        source,
      });
      out.note(
        `served by ${served.name} with key ${served.keyId} (${served.maskedKey}) after ${attempts.length} attempt${attempts.length === 1 ? '' : 's'}`,
      );
      for (const [index, attempt] of attempts.entries()) out.note(attemptLine(attempt, index));
    }
    await Promise.all([...pools.values()].map((pool) => pool.close()));
    return exitCode;
  } finally {
    await emulator?.close();
  }
}
