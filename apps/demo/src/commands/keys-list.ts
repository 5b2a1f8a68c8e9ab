import type { CommandContext } from '../command-context';
import { formatTable } from '../format-table';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { parseProvider } from '../providers';
import { entryJson } from './keys-add';

/** `keypool keys list [provider]`: the vault's keys, masked, with status and primary. */
export async function keysList(
  { io, out }: CommandContext,
  providerArgument: string | undefined,
  options: VaultCommandOptions & { json?: boolean },
): Promise<number> {
  const provider = providerArgument === undefined ? undefined : parseProvider(providerArgument);
  const vault = openCliVault(io, options);
  const entries = await vault.list(provider);
  out.json({ vault: vault.path, keys: entries.map(entryJson) });
  if (out.jsonMode) return 0;
  if (entries.length === 0) {
    out.print(`no keys${provider ? ` for ${provider}` : ''} in ${vault.path}`);
    return 0;
  }
  const rows = entries.map((entry) => [
    entry.provider,
    entry.id,
    entry.masked,
    entry.disabled ? `disabled${entry.disabledReason ? ` (${entry.disabledReason})` : ''}` : 'enabled',
    entry.primary ? 'primary' : '',
    entry.label ?? '',
  ]);
  out.print(formatTable(['PROVIDER', 'ID', 'KEY', 'STATUS', 'PRIMARY', 'LABEL'], rows));
  return 0;
}
