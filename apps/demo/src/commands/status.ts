import { CliError } from '../cli-error';
import { colorsFor } from '../colors';
import type { CommandContext } from '../command-context';
import { fetchDashboardStatus, statusUrlOf } from '../fetch-dashboard-status';
import { formatDuration } from '../format-duration';
import { formatTable } from '../format-table';
import { LiveRegion } from '../live-region';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { formatProviderTotals, providerTotals } from '../provider-totals';
import { readSavedDocument } from '../state-file-pools';
import { formatStatusTable, rowFromSnapshot, type StatusRow } from '../status-rows';

/** `status` options. */
export interface StatusOptions extends VaultCommandOptions {
  state?: string;
  url?: string;
  token?: string;
  watch?: boolean;
  interval: number;
  count?: number;
  json?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `keypool status`: a table of every key.
 *
 * - With `--url <dashboard>`: the live state of a running app, read from its dashboard's `/status` (`--token` or
 *   `KEYPOOL_DASHBOARD_TOKEN` when it wants one). `--watch` redraws it in place every `--interval` ms.
 * - With `--state <file>`: a file written by `simulate --save-state` / `chat --save-state`, or one `pool.toJSON()`
 *   (or a list of them), brought to now (a cooldown keeps counting down; one that ended shows the key half-open).
 * - Without: a pool's live state exists only inside the process that runs it, so the table shows the vault's keys
 *   and whether each is enabled (what a pool built now would start from).
 */
export async function status(context: CommandContext, options: StatusOptions): Promise<number> {
  const { io, out } = context;
  if (options.url && options.state)
    throw CliError.usage('give either --url or --state, not both', 'bad_option');
  if (options.watch && !options.url)
    throw CliError.usage('--watch needs --url <dashboard url>', 'bad_option');
  if (!Number.isInteger(options.interval) || options.interval < 100)
    throw CliError.usage('--interval must be an integer of at least 100 (ms)', 'bad_option');
  if (options.count !== undefined && (!Number.isInteger(options.count) || options.count < 1))
    throw CliError.usage('--count must be a positive integer', 'bad_option');

  if (options.url) {
    const url = statusUrlOf(options.url);
    const token = options.token ?? io.env.KEYPOOL_DASHBOARD_TOKEN;
    if (token) io.redactor.add(token);
    const rowsOf = async () => {
      const document = await fetchDashboardStatus(url, token);
      const rows = document.pools.flatMap((pool) =>
        pool.keys.map((key) => rowFromSnapshot(pool.name, key, document.now)),
      );
      return { document, rows };
    };
    if (!options.watch) {
      const { document, rows } = await rowsOf();
      const totals = providerTotals(rows);
      out.json({
        source: 'url',
        url: url.href,
        now: document.now,
        keys: rows,
        totals,
        alerts: document.alerts,
      });
      if (!out.jsonMode) {
        out.print(`live pool state from ${url.origin}${url.pathname}`);
        out.print(formatStatusTable(rows, document.now));
        for (const line of formatProviderTotals(totals, document.now)) out.print(line);
        for (const alert of document.alerts) out.print(`alert: ${alert.message}`);
      }
      return 0;
    }
    return watch(context, options, rowsOf);
  }

  if (options.state) {
    const now = Date.now();
    const { pools, savedAt, source } = readSavedDocument(options.state, now);
    const rows: StatusRow[] = pools.flatMap((pool) =>
      pool.keys.map((key) => rowFromSnapshot(pool.provider, key, now)),
    );
    const totals = providerTotals(rows);
    out.json({ source: 'state', file: options.state, savedAt, writtenBy: source, keys: rows, totals });
    if (!out.jsonMode) {
      const written =
        savedAt === undefined ? '' : ` (written by ${source} ${formatDuration(now - savedAt)} ago)`;
      out.print(`pool state from ${options.state}${written}`);
      out.print(formatStatusTable(rows, now));
      for (const line of formatProviderTotals(totals, now)) out.print(line);
    }
    return 0;
  }

  const vault = openCliVault(io, options);
  const entries = await vault.list();
  const keys = entries.map((entry) => ({
    provider: entry.provider,
    id: entry.id,
    masked: entry.masked,
    status: entry.disabled ? 'disabled' : 'enabled',
    primary: entry.primary === true,
    ...(entry.disabledReason ? { reason: entry.disabledReason } : {}),
  }));
  out.json({ source: 'vault', vault: vault.path, keys });
  if (!out.jsonMode) {
    out.print(
      `vault ${vault.path}: no pool state given (--url <dashboard> or --state <file>), showing the stored keys`,
    );
    if (keys.length === 0) out.print('no keys');
    else
      out.print(
        formatTable(
          ['PROVIDER', 'ID', 'KEY', 'STATUS', 'PRIMARY', 'REASON'],
          keys.map((key) => [
            key.provider,
            key.id,
            key.masked,
            key.status,
            key.primary ? 'primary' : '',
            key.reason ?? '',
          ]),
        ),
      );
  }
  return 0;
}

/**
 * `--watch`: on a terminal, the table redrawn in place (clipped to the screen); elsewhere one table per refresh.
 * With `--json`, one JSON line per refresh. Stops after `--count` refreshes, or on Ctrl-C.
 */
async function watch(
  { io, out }: CommandContext,
  options: StatusOptions,
  rowsOf: () => Promise<{ document: { now: number; alerts: { message: string }[] }; rows: StatusRow[] }>,
): Promise<number> {
  const stream = io.stdout;
  const color = colorsFor(stream, io.env);
  const region =
    !out.jsonMode && stream.isTTY === true && io.env.TERM !== 'dumb' ? new LiveRegion(stream) : undefined;
  let stopped = false;
  const onSignal = () => {
    stopped = true;
  };
  process.once('SIGINT', onSignal);
  try {
    for (let refresh = 1; !stopped; refresh++) {
      const { document, rows } = await rowsOf();
      if (out.jsonMode)
        io.stdout.write(
          `${io.redactor.scrub(JSON.stringify({ now: document.now, keys: rows, alerts: document.alerts }))}\n`,
        );
      else {
        const lines = [
          color.bold(`keypool status --watch ${options.url}`) +
            color.dim(`  every ${formatDuration(options.interval)}, Ctrl-C to stop`),
          ...formatStatusTable(rows, document.now).split('\n'),
          ...document.alerts.map((alert) => color.red(`alert: ${alert.message}`)),
        ].map((line) => io.redactor.scrub(line));
        if (region) region.render(lines);
        else out.print(`${lines.join('\n')}\n`);
      }
      if (options.count !== undefined && refresh >= options.count) break;
      await sleep(options.interval);
    }
  } finally {
    process.off('SIGINT', onSignal);
    region?.done();
  }
  return 0;
}
