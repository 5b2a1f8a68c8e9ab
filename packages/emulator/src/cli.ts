import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { EmulatorConfig } from './config.ts';
import { EmulatorConfigError } from './config.ts';
import { startEmulator } from './server.ts';

const USAGE = `Usage: keypool-emulator [--port 8787] [--host 127.0.0.1] [--config emulator.json]

A local HTTP server that speaks the OpenAI, Anthropic, Gemini and Mistral chat APIs and fails on request.

Options:
  --port <n>       Port to listen on (default: config "port", else 8787; 0 picks a free port)
  --host <addr>    Interface to listen on (default: config "host", else 127.0.0.1)
  --config <file>  JSON config: keys, models, windowMs, seed, ... (see the README).
                   Without it every key is accepted as healthy (acceptAnyKey: true).
  -h, --help       Show this help

Serves until SIGINT or SIGTERM, then closes every connection and exits 0. A bad config exits 2.`;

async function loadConfig(path: string | undefined): Promise<EmulatorConfig> {
  if (path === undefined) return { acceptAnyKey: true };
  const text = await readFile(path, 'utf8');
  return JSON.parse(text) as EmulatorConfig;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Runs the CLI with the given arguments; resolves with the exit code once the server has closed. */
export async function runCli(args: string[]): Promise<number> {
  let values: { port?: string; host?: string; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`keypool-emulator: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  let config: EmulatorConfig;
  try {
    config = await loadConfig(values.config);
  } catch (error) {
    console.error(`keypool-emulator: cannot read config ${values.config}: ${(error as Error).message}`);
    return 2;
  }
  const port = values.port === undefined ? (config.port ?? 8787) : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`keypool-emulator: --port must be an integer from 0 to 65535, got ${values.port}`);
    return 2;
  }

  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({ ...config, port, host: values.host ?? config.host });
  } catch (error) {
    if (EmulatorConfigError.isInstance(error)) {
      console.error(
        `keypool-emulator: invalid config${values.config ? ` ${values.config}` : ''}:\n${error.message}`,
      );
      return 2;
    }
    console.error(`keypool-emulator: cannot start: ${(error as Error).message}`);
    return 1;
  }

  console.log(`keypool-emulator listening on ${emulator.url}`);
  for (const [provider, url] of Object.entries(emulator.baseURLs))
    console.log(`  ${provider.padEnd(10)} ${url}`);
  console.log(`  azure-openai endpoint ${emulator.azureOpenAIEndpoint}`);
  if (!values.config) console.log('  (no --config: every key is accepted as healthy)');

  const signal = await waitForSignal();
  await emulator.close();
  console.log(`keypool-emulator: ${signal}, closed after ${emulator.requests.length} logged requests`);
  return 0;
}

process.exitCode = await runCli(process.argv.slice(2));
