import type { ProviderId } from './provider-id';
import type { VaultEntry } from './vault-entry';
import { VaultEntryError } from './vault-entry-error';

/**
 * The one entry with this id (in this provider, or across providers when none is named) among the entries of the
 * vault file at `path`.
 *
 * @throws {VaultEntryError} `vault_entry_not_found`, or `vault_entry_ambiguous` when no provider is named and the id
 *   exists in more than one.
 */
export function findVaultEntry(
  entries: VaultEntry[],
  provider: ProviderId | undefined,
  id: string,
  path: string,
): VaultEntry {
  const matches = entries.filter(
    (entry) => entry.id === id && (provider === undefined || entry.provider === provider),
  );
  if (matches.length === 1) return matches[0]!;
  const name = provider === undefined ? `key "${id}"` : `${provider} key "${id}"`;
  if (matches.length === 0)
    throw new VaultEntryError('vault_entry_not_found', provider, id, `no ${name} in the vault ${path}`);
  throw new VaultEntryError(
    'vault_entry_ambiguous',
    provider,
    id,
    `${name} exists for ${matches.map((entry) => entry.provider).join(' and ')}; name the provider (vault:provider/id)`,
  );
}
