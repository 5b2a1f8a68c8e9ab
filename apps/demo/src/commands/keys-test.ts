import { maskSecret } from '@keypool/core';
import type { ProviderId } from '@keypool/keystore';
import { parseBaseUrls } from '../base-url-option';
import { CliError } from '../cli-error';
import { colorsFor } from '../colors';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { formatDuration } from '../format-duration';
import { formatTable } from '../format-table';
import { type KeyTestResult, type KeyVerdict, testKey } from '../key-test/test-key';
import { LiveRegion } from '../live-region';
import { type KeySourceOptions, loadKeys } from '../load-keys';
import { DEFAULT_MODELS, PROVIDERS, parseProvider } from '../providers';

/** `keys test` options. */
export interface KeysTestOptions extends KeySourceOptions {
  baseUrl?: string[];
  model?: string[];
  timeout: number;
  json?: boolean;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** `--model openai=gpt-4.1-nano` values as a model per provider. */
function parseModels(values: readonly string[] = []): Partial<Record<ProviderId, string>> {
  const models: Partial<Record<ProviderId, string>> = {};
  for (const value of values) {
    const separator = value.indexOf('=');
    if (separator <= 0 || separator === value.length - 1)
      throw CliError.usage(`--model "${value}": expected <provider>=<model>`, 'bad_model');
    models[parseProvider(value.slice(0, separator))] = value.slice(separator + 1);
  }
  return models;
}

/**
 * `keypool keys test [provider]`: one minimal live call per key, all in parallel, with a progress view on stderr.
 * Each key is reported valid, invalid, rate-limited, quota or error. Exits 1 when any key is not valid.
 */
export async function keysTest(
  { io, out }: CommandContext,
  providerArgument: string | undefined,
  options: KeysTestOptions,
): Promise<number> {
  const only = providerArgument === undefined ? undefined : parseProvider(providerArgument);
  if (!Number.isFinite(options.timeout) || options.timeout <= 0)
    throw CliError.usage('--timeout must be a positive number of ms', 'bad_option');
  const baseUrls = parseBaseUrls(options.baseUrl);
  const models = parseModels(options.model);
  const loaded = await loadKeys(io, options);
  const targets = PROVIDERS.filter((provider) => only === undefined || provider === only).flatMap(
    (provider) => loaded.keys[provider].map((key) => ({ provider, key, masked: maskSecret(key.secret) })),
  );
  if (targets.length === 0) {
    throw new CliError(`no ${only ?? ''}${only ? ' ' : ''}keys to test in ${loaded.source}`, {
      exitCode: ExitCode.notFound,
      code: 'no_keys',
    });
  }

  const color = colorsFor(io.stderr, io.env);
  const paint: Record<KeyVerdict, (text: string) => string> = {
    valid: color.green,
    invalid: color.red,
    'rate-limited': color.yellow,
    quota: color.yellow,
    error: color.red,
  };
  const results: (KeyTestResult | undefined)[] = targets.map(() => undefined);
  const label = (index: number) => {
    const target = targets[index]!;
    return `${target.provider}/${target.key.id} ${color.dim(target.masked)}`;
  };
  const line = (index: number, frame: number): string => {
    const result = results[index];
    if (!result) return `  ${color.cyan(SPINNER[frame % SPINNER.length]!)} ${label(index)} testing…`;
    const detail = result.verdict === 'valid' ? formatDuration(result.latencyMs) : (result.message ?? '');
    return `  ${paint[result.verdict](result.verdict.padEnd(12))} ${label(index)} ${color.dim(detail)}`;
  };

  const live = io.stderr.isTTY === true ? new LiveRegion(io.stderr) : undefined;
  out.note(`testing ${targets.length} key${targets.length === 1 ? '' : 's'} from ${loaded.source}`);
  let frame = 0;
  const draw = () => live?.render(targets.map((_, index) => line(index, frame)));
  draw();
  const ticker = live
    ? setInterval(() => {
        frame++;
        draw();
      }, 100)
    : undefined;
  try {
    await Promise.all(
      targets.map(async (target, index) => {
        const result = await testKey({
          provider: target.provider,
          key: target.key,
          masked: target.masked,
          model: models[target.provider] ?? DEFAULT_MODELS[target.provider],
          baseURL: baseUrls[target.provider] ?? loaded.settings[target.provider]?.baseURL,
          ...(target.provider === 'azure' ? { azure: loaded.settings.azure ?? {}, env: io.env } : {}),
          timeoutMs: options.timeout,
        });
        results[index] = result;
        if (live) draw();
        else out.note(line(index, 0));
      }),
    );
  } finally {
    if (ticker) clearInterval(ticker);
    live?.done();
  }

  const done = results as KeyTestResult[];
  const counts: Record<KeyVerdict, number> = { valid: 0, invalid: 0, 'rate-limited': 0, quota: 0, error: 0 };
  for (const result of done) counts[result.verdict]++;
  const ok = counts.valid === done.length;
  out.json({ ok, source: loaded.source, counts, keys: done });
  if (!out.jsonMode) {
    out.print(
      formatTable(
        ['PROVIDER', 'ID', 'KEY', 'RESULT', 'DETAIL'],
        done.map((result) => [
          result.provider,
          result.id,
          result.masked,
          result.verdict,
          result.verdict === 'valid'
            ? `${result.model}, ${formatDuration(result.latencyMs)}`
            : `${result.status ?? ''}${result.status ? ' ' : ''}${result.message ?? ''}`,
        ]),
      ),
    );
    out.print(
      Object.entries(counts)
        .filter(([, count]) => count > 0)
        .map(([verdict, count]) => `${count} ${verdict}`)
        .join(', '),
    );
  }
  return ok ? ExitCode.ok : ExitCode.failed;
}
