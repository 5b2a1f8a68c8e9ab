import type { KeySnapshot } from '@keypool/core';
import { type ProviderId, providerLabel } from '@keypool/keystore';
import type { CommandContext } from '../command-context';
import { formatTable } from '../format-table';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { parseProvider } from '../providers';
import { type PoolSourceOptions, readPoolSnapshots } from '../read-pool-snapshots';
import { formatAgo } from '../status-rows';
import { entryJson } from './keys-add';

/** The usage fields `keys list --state/--url` adds to a vault entry. */
function usageOf(key: KeySnapshot | undefined): Record<string, number> {
  if (!key) return {};
  const usage: Record<string, number> = { calls: key.counts.requests };
  for (const field of ['lastUsedAt', 'lastSuccessAt', 'lastFailureAt'] as const)
    if (key[field] !== undefined) usage[field] = key[field];
  return usage;
}

/**
 * `keypool keys list [provider]`: the vault's keys, masked, with status and primary. With `--state <file>` or
 * `--url <dashboard>` it also shows each key's calls and when it was last used and last failed.
 */
export async function keysList(
  { io, out }: CommandContext,
  providerArgument: string | undefined,
  options: VaultCommandOptions & PoolSourceOptions & { json?: boolean },
): Promise<number> {
  const provider = providerArgument === undefined ? undefined : parseProvider(providerArgument);
  const vault = openCliVault(io, options);
  const entries = await vault.list(provider);
  const usage = options.state || options.url ? await readPoolSnapshots(io, options) : undefined;
  const snapshots = new Map<string, KeySnapshot>();
  for (const pool of usage?.pools ?? [])
    for (const key of pool.keys) snapshots.set(`${pool.provider}/${key.id}`, key);
  // Pools are labelled by provider, Azure's as azure-openai.
  const snapshotOf = (entry: { provider: ProviderId; id: string }) =>
    snapshots.get(`${providerLabel(entry.provider)}/${entry.id}`);
  out.json({
    vault: vault.path,
    keys: entries.map((entry) => ({ ...entryJson(entry), ...usageOf(snapshotOf(entry)) })),
  });
  if (out.jsonMode) return 0;
  if (entries.length === 0) {
    out.print(`no keys${provider ? ` for ${provider}` : ''} in ${vault.path}`);
    return 0;
  }
  const rows = entries.map((entry) => {
    const row = [
      entry.provider,
      entry.id,
      entry.masked,
      entry.disabled ? `disabled${entry.disabledReason ? ` (${entry.disabledReason})` : ''}` : 'enabled',
      entry.primary ? 'primary' : '',
      entry.label ?? '',
    ];
    if (!usage) return row;
    const key = snapshotOf(entry);
    return [
      ...row,
      key ? String(key.counts.requests) : '-',
      formatAgo(key?.lastUsedAt, usage.now),
      formatAgo(key?.lastFailureAt, usage.now),
    ];
  });
  const headers = ['PROVIDER', 'ID', 'KEY', 'STATUS', 'PRIMARY', 'LABEL'];
  out.print(formatTable(usage ? [...headers, 'CALLS', 'LAST USED', 'LAST FAILURE'] : headers, rows));
  return 0;
}
