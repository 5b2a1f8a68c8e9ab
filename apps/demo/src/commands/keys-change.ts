import type { Vault, VaultEntryInfo } from '@keypool/keystore';
import type { CommandContext } from '../command-context';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { parseProvider } from '../providers';
import { entryJson } from './keys-add';

type ChangeOptions = VaultCommandOptions & { json?: boolean; reason?: string };

/** Runs one change on one vault entry and reports it. */
async function change(
  { io, out }: CommandContext,
  providerArgument: string,
  id: string,
  options: ChangeOptions,
  action: { name: string; verb: string },
  apply: (vault: Vault, provider: ReturnType<typeof parseProvider>, id: string) => Promise<VaultEntryInfo>,
): Promise<number> {
  const provider = parseProvider(providerArgument);
  const vault = openCliVault(io, options);
  const entry = await apply(vault, provider, id);
  out.json({ ok: true, action: action.name, vault: vault.path, key: entryJson(entry) });
  out.print(`${action.verb} ${entry.provider} key "${entry.id}" (${entry.masked})`);
  return 0;
}

/** `keypool keys remove <provider> <id>`. */
export function keysRemove(context: CommandContext, provider: string, id: string, options: ChangeOptions) {
  return change(context, provider, id, options, { name: 'remove', verb: 'removed' }, (vault, name) =>
    vault.remove(name, id),
  );
}

/** `keypool keys switch <provider> <id>`: makes the key its provider's primary. */
export function keysSwitch(context: CommandContext, provider: string, id: string, options: ChangeOptions) {
  return change(context, provider, id, options, { name: 'switch', verb: 'primary is now' }, (vault, name) =>
    vault.setPrimary(name, id),
  );
}

/** `keypool keys enable <provider> <id>`. */
export function keysEnable(context: CommandContext, provider: string, id: string, options: ChangeOptions) {
  return change(context, provider, id, options, { name: 'enable', verb: 'enabled' }, (vault, name) =>
    vault.enable(name, id),
  );
}

/** `keypool keys disable <provider> <id> [--reason text]`. */
export function keysDisable(context: CommandContext, provider: string, id: string, options: ChangeOptions) {
  return change(context, provider, id, options, { name: 'disable', verb: 'disabled' }, (vault, name, key) =>
    vault.disable(name, key, options.reason),
  );
}
