import { readFile } from 'node:fs/promises';
import { type EmulatorConfig, EmulatorConfigError, startEmulator } from '@keypool/emulator';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';

/** `emulator` options. */
export interface EmulatorOptions {
  port: number;
  host: string;
  config?: string;
  json?: boolean;
}

/** Reads an emulator config file (JSON); a missing or malformed file is a usage error. */
export async function readEmulatorConfig(path: string): Promise<EmulatorConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read the emulator config ${path}: ${code ?? 'unreadable'}`, {
      exitCode: code === 'ENOENT' ? ExitCode.notFound : ExitCode.usage,
      code: 'config_unreadable',
    });
  }
  try {
    return JSON.parse(text) as EmulatorConfig;
  } catch {
    throw CliError.usage(`the emulator config ${path} is not valid JSON`, 'config_invalid');
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/**
 * `keypool emulator`: `@keypool/emulator` in the foreground. Prints the four base URLs (or, with `--json`, one line
 * `{ url, baseURLs }`), serves until Ctrl-C or SIGTERM, then closes every connection and exits 0. Without `--config`
 * every key is accepted as healthy.
 */
export async function emulator({ out, io }: CommandContext, options: EmulatorOptions): Promise<number> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535)
    throw CliError.usage('--port must be an integer from 0 to 65535', 'bad_option');
  const config: EmulatorConfig = options.config
    ? await readEmulatorConfig(options.config)
    : { acceptAnyKey: true };
  for (const secret of Object.keys(config.keys ?? {})) io.redactor.add(secret);
  let server: Awaited<ReturnType<typeof startEmulator>>;
  try {
    server = await startEmulator({ ...config, port: options.port, host: options.host });
  } catch (error) {
    if (EmulatorConfigError.isInstance(error))
      throw CliError.usage(`invalid emulator config: ${(error as Error).message}`, 'config_invalid');
    throw new CliError(`cannot start the emulator: ${(error as Error).message}`, { code: 'emulator_failed' });
  }
  const signal = nextSignal();
  if (out.jsonMode) {
    io.stdout.write(`${JSON.stringify({ url: server.url, baseURLs: server.baseURLs })}\n`);
  } else {
    out.print(`keypool emulator listening on ${server.url}`);
    for (const [provider, url] of Object.entries(server.baseURLs))
      out.print(`  ${provider.padEnd(10)} ${url}`);
    if (!options.config) out.print('  (no --config: every key is accepted as healthy)');
    out.print('Ctrl-C to stop.');
  }
  const received = await signal;
  await server.close();
  out.note(`emulator: ${received}, closed after ${server.requests.length} requests`);
  return ExitCode.ok;
}
