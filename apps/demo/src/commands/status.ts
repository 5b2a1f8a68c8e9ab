import type { CommandContext } from '../command-context';
import { formatDuration } from '../format-duration';
import { formatTable } from '../format-table';
import { formatFailures, keyStatusAt } from '../key-status-line';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { readStateFile } from '../state-file';

/** `status` options. */
export interface StatusOptions extends VaultCommandOptions {
  state?: string;
  json?: boolean;
}

/**
 * `keypool status`: a table of every key.
 *
 * - With `--state <file>` (written by `simulate --save-state` / `chat --save-state`): each pool's keys as saved,
 *   brought to now (a cooldown keeps counting down; one that ended shows the key half-open): status, cooldown left,
 *   calls, successes, failures by category, latency.
 * - Without: a pool's live state exists only inside the process that runs it, so the table shows the vault's keys
 *   and whether each is enabled (what a pool built now would start from).
 */
export async function status({ io, out }: CommandContext, options: StatusOptions): Promise<number> {
  if (options.state) {
    const file = await readStateFile(options.state);
    const now = Date.now();
    const keys = file.pools.flatMap((pool) =>
      pool.snapshot.map((snapshot) => {
        const line = keyStatusAt(snapshot, now);
        return {
          provider: pool.provider,
          id: snapshot.id,
          masked: snapshot.masked,
          status: line.status,
          ...(line.cooldownRemainingMs === undefined
            ? {}
            : { cooldownRemainingMs: line.cooldownRemainingMs }),
          ...(snapshot.reason ? { reason: snapshot.reason } : {}),
          calls: snapshot.counts.requests,
          successes: snapshot.counts.successes,
          failures: snapshot.counts.failures,
          ...(snapshot.latencyEwmaMs === undefined ? {} : { latencyMs: snapshot.latencyEwmaMs }),
        };
      }),
    );
    out.json({ source: 'state', file: options.state, savedAt: file.savedAt, writtenBy: file.source, keys });
    if (!out.jsonMode) {
      out.print(
        `pool state from ${options.state} (written by ${file.source} ${formatDuration(now - file.savedAt)} ago)`,
      );
      out.print(
        formatTable(
          ['PROVIDER', 'ID', 'KEY', 'STATUS', 'COOLDOWN', 'CALLS', 'OK', 'FAILURES', 'LATENCY', 'REASON'],
          keys.map((key) => [
            key.provider,
            key.id,
            key.masked,
            key.status,
            key.cooldownRemainingMs === undefined ? '-' : formatDuration(key.cooldownRemainingMs),
            String(key.calls),
            String(key.successes),
            formatFailures(key.failures),
            key.latencyMs === undefined ? '-' : formatDuration(key.latencyMs),
            key.reason ?? '',
          ]),
        ),
      );
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
    out.print(`vault ${vault.path}: no pool state given (--state <file>), showing the stored keys`);
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
