import { CliError } from '../cli-error';
import { canRedraw, colorsFor } from '../colors';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { EventLog } from '../simulate/event-log';
import { formatSummary } from '../simulate/format-summary';
import { LiveView } from '../simulate/live-view';
import { parseScenario } from '../simulate/scenarios';
import { Simulation } from '../simulate/simulation';
import { summarize } from '../simulate/simulation-summary';
import { saveStateFile } from '../state-file';

/** `simulate` options. */
export interface SimulateOptions {
  calls: number;
  concurrency: number;
  seed: number;
  latency: number;
  saveState?: string;
  plain?: boolean;
  quiet?: boolean;
  json?: boolean;
}

function positiveInteger(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw CliError.usage(`--${name} must be an integer from 1 to ${max}`, 'bad_option');
}

/**
 * `keypool simulate [scenario]`: the demo. Runs the scenario against the in-process emulator with fake keys, shows
 * a live view on a terminal (plain event lines elsewhere, on stderr with `--json`), then prints the summary. Exits 1
 * when a call was left unserved.
 */
export async function simulate(
  { io, out }: CommandContext,
  scenarioArgument: string,
  options: SimulateOptions,
): Promise<number> {
  const scenario = parseScenario(scenarioArgument);
  positiveInteger('calls', options.calls, 100_000);
  positiveInteger('concurrency', options.concurrency, 256);
  if (!Number.isInteger(options.seed)) throw CliError.usage('--seed must be an integer', 'bad_option');
  if (!Number.isFinite(options.latency) || options.latency < 0 || options.latency > 10_000)
    throw CliError.usage('--latency must be from 0 to 10000 ms', 'bad_option');

  const simulation = new Simulation({
    scenario,
    calls: options.calls,
    concurrency: options.concurrency,
    seed: options.seed,
    latencyMs: options.latency,
  });
  for (const key of simulation.fleet) io.redactor.add(key.secret);

  // Human output goes to stdout; with --json it moves to stderr so stdout holds the summary only.
  const viewStream = out.jsonMode ? io.stderr : io.stdout;
  const color = colorsFor(viewStream, io.env);
  const live =
    !options.quiet && !options.plain && canRedraw(viewStream, io.env)
      ? new LiveView(simulation, viewStream, color, io.redactor)
      : undefined;
  const log = !options.quiet && !live ? new EventLog(viewStream, color, io.redactor) : undefined;
  simulation.onEvent((event) => {
    live?.push(event);
    log?.write(event);
  });

  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    live?.stop();
    void simulation.close().finally(() => process.exit(ExitCode.interrupted));
  };
  process.once('SIGINT', onSignal);

  const started = Date.now();
  try {
    await simulation.start();
    if (!live && !options.quiet) {
      out.print(
        `keypool simulate: scenario ${scenario}, ${options.calls} calls, ${options.concurrency} in flight, seed ${options.seed}`,
      );
      out.print(
        `emulator ${simulation.emulator?.url} (127.0.0.1 only), 3 fake keys per provider, 1 s rate-limit windows`,
      );
      out.print(
        `chain: ${simulation.pools.map(({ provider, model }) => `${provider}:${model}`).join(' -> ')}`,
      );
      for (const line of simulation.plan.description) out.print(`  ${line}`);
      out.print('');
    }
    live?.start();
    await simulation.run();
    live?.stop();
    const summary = summarize(simulation, Date.now() - started);
    if (options.saveState)
      await saveStateFile(
        options.saveState,
        'simulate',
        simulation.pools.map(({ pool }) => pool),
      );
    out.json(summary);
    if (!out.jsonMode) {
      out.print('');
      out.print(formatSummary(summary));
      if (options.saveState)
        out.print(`\npool state saved to ${options.saveState} (keypool status --state ${options.saveState})`);
    }
    return summary.failed > 0 ? ExitCode.failed : ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    if (!interrupted) {
      live?.stop();
      await simulation.close();
    }
  }
}
