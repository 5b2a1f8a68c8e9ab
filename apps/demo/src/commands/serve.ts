import { hashVirtualKey, loadGatewayFile, serveGateway } from '@keypool/gateway';
import { envSource, findKeysFile, vaultSource } from '@keypool/keystore';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { readSecret } from '../read-secret';

/** `serve` options. */
export interface ServeOptions extends VaultCommandOptions {
  config?: string;
  host?: string;
  port?: number;
  log?: boolean;
  hashKey?: boolean;
  /** `--dashboard [path]`: mount the dashboard (true: the file's path or `/dashboard`). */
  dashboard?: boolean | string;
  /** `--metrics [path]`: mount Prometheus metrics (true: the file's path or `/metrics`). */
  metrics?: boolean | string;
  json?: boolean;
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
 * `keypool serve --config keypool.yaml`: the keys file's pools and chains as an OpenAI- and Anthropic-compatible
 * gateway (`@keypool/gateway`) in the foreground. Prints the URLs (or, with `--json`, one line `{ url, openaiBaseURL,
 * anthropicBaseURL }`), with `--log` one line per request on stderr (ids and numbers, never a key), and on Ctrl-C or
 * SIGTERM drains the requests in flight and exits 0. `--dashboard [path]` / `--metrics [path]` mount the live
 * dashboard and Prometheus metrics on the same server (behind the virtual keys). `--hash-key` reads a virtual key on stdin and prints the
 * `sha256:` form to put in the config.
 */
export async function serve({ out, io }: CommandContext, options: ServeOptions): Promise<number> {
  if (options.hashKey) {
    const key = await readSecret(io, { prompt: 'Virtual key: ' });
    io.stdout.write(`${hashVirtualKey(key)}\n`);
    return ExitCode.ok;
  }
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535)
  )
    throw CliError.usage('--port must be an integer from 0 to 65535', 'bad_option');
  const path = options.config ?? (await findKeysFile());
  if (path === undefined) {
    throw CliError.usage(
      'no keys file: pass --config <file> (keypool.yaml / keypool.json)',
      'config_missing',
    );
  }
  const loaded = await loadGatewayFile(path, {
    sources: [envSource(io.env), vaultSource(openCliVault(io, options))],
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.dashboard !== undefined ? { dashboard: options.dashboard } : {}),
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
  });
  for (const keys of Object.values(loaded.keys.keys)) for (const key of keys) io.redactor.add(key.secret);
  for (const warning of loaded.warnings) out.note(`warning: ${warning.message}`);
  const gateway = await serveGateway(loaded);
  if (options.log) {
    gateway.on('request', (event) => {
      const who = event.virtualKey ? ` vk=${event.virtualKey}` : '';
      const key = event.keyId ? ` key=${event.keyId}` : '';
      const error = event.error ? ` error=${event.error}` : '';
      out.note(
        `${event.method} ${event.path} ${event.status} ${event.model ?? '-'}${event.stream ? ' stream' : ''}${who}${key} ${event.durationMs.toFixed(1)}ms${error}`,
      );
    });
  }
  const signal = nextSignal();
  const { dashboard, metrics } = loaded.config;
  const urls = {
    url: gateway.url,
    openaiBaseURL: `${gateway.url}/v1`,
    anthropicBaseURL: gateway.url,
    ...(dashboard ? { dashboardURL: `${gateway.url}${dashboard.path}/` } : {}),
    ...(metrics ? { metricsURL: `${gateway.url}${metrics.path}` } : {}),
  };
  if (out.jsonMode) {
    io.stdout.write(`${JSON.stringify(urls)}\n`);
  } else {
    out.print(`keypool gateway listening on ${gateway.url}`);
    out.print(`  OpenAI SDKs:    baseURL ${urls.openaiBaseURL}`);
    out.print(`  Anthropic SDKs: baseURL ${urls.anthropicBaseURL}`);
    const providers = Object.entries(loaded.keys.keys).filter(([, keys]) => keys.length > 0);
    out.print(
      `  pools: ${providers.map(([provider, keys]) => `${provider} (${keys.length} keys)`).join(', ')}`,
    );
    if (urls.dashboardURL) {
      const browser = loaded.config.virtualKeys.length > 0 ? ' (in a browser: ?token=<virtual key>)' : '';
      out.print(`  dashboard:      ${urls.dashboardURL}${browser}`);
    }
    if (urls.metricsURL) out.print(`  metrics:        ${urls.metricsURL}`);
    const chains = Object.keys(loaded.keys.chains);
    if (chains.length > 0) out.print(`  chains: ${chains.map((name) => `chain:${name}`).join(', ')}`);
    if (loaded.config.virtualKeys.length === 0)
      out.print('  no virtual keys: any client on this host may call it');
    out.print('Ctrl-C to stop.');
  }
  const received = await signal;
  out.note(`gateway: ${received}, draining ${gateway.inFlight()} request(s)`);
  await gateway.close();
  return ExitCode.ok;
}
