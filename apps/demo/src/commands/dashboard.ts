import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard, type DashboardChain, type DashboardPool } from '@keypool/dashboard';
import { toNodeListener } from '@keypool/dashboard/node';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { parseScenario } from '../simulate/scenarios';
import { Simulation } from '../simulate/simulation';
import { statePoolsFor } from '../state-file-pools';

/** `dashboard` options. */
export interface DashboardCommandOptions {
  state?: string;
  simulate?: string | boolean;
  calls: number;
  port: number;
  host: string;
  token?: string;
  json?: boolean;
}

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
 * `keypool dashboard`: serves `@keypool/dashboard` (page, /status, /metrics, /events) in the foreground until
 * Ctrl-C, for a saved state file (`--state`, re-read when it changes) or for a simulation it runs in this process
 * (`--simulate [scenario]`, live events included). Prints the URL (with `--json`: one line `{ url }`).
 */
export async function dashboard(
  { io, out }: CommandContext,
  options: DashboardCommandOptions,
): Promise<number> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535)
    throw CliError.usage('--port must be an integer from 0 to 65535', 'bad_option');
  if (!options.state === !options.simulate)
    throw CliError.usage('give either --state <file> or --simulate [scenario]', 'bad_option');
  const token = options.token ?? io.env.KEYPOOL_DASHBOARD_TOKEN;
  if (token !== undefined) io.redactor.add(token);

  let pools: DashboardPool[];
  let chains: DashboardChain[] = [];
  let simulation: Simulation | undefined;
  if (options.state) {
    pools = statePoolsFor(options.state);
  } else {
    const scenario = parseScenario(typeof options.simulate === 'string' ? options.simulate : 'all');
    simulation = new Simulation({ scenario, calls: options.calls, concurrency: 8, seed: 1, latencyMs: 300 });
    for (const key of simulation.fleet) io.redactor.add(key.secret);
    await simulation.start();
    pools = simulation.pools.map(({ pool }) => pool);
    if (simulation.chain) chains = [simulation.chain];
  }
  const board = createDashboard({
    pools,
    chains,
    ...(token !== undefined ? { token } : {}),
    title: options.state ? `Keypool: ${options.state}` : 'Keypool simulate',
    ...(options.state ? { monitor: false as const } : {}),
  });
  const server = createServer(toNodeListener(board.fetch));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, resolve);
    });
  } catch (error) {
    board.close();
    await simulation?.close();
    throw new CliError(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`, {
      code: 'listen_failed',
    });
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  const signal = nextSignal();
  if (out.jsonMode) io.stdout.write(`${JSON.stringify({ url })}\n`);
  else {
    out.print(`keypool dashboard on ${url}${token ? ' (token required: ?token=...)' : ''}`);
    out.print(`  ${url}status  ${url}metrics  ${url}events`);
    out.print('Ctrl-C to stop.');
  }
  const running = simulation?.run().catch(() => undefined);
  const received = await signal;
  simulation?.stop();
  board.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await running;
  await simulation?.close();
  out.note(`dashboard: ${received}, stopped`);
  return ExitCode.ok;
}
