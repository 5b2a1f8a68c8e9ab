import { emptyProviderKeys, type KeyConfig, type ProviderKeys } from './key-config';
import { protectSecret } from './protect-secret';
import { PROVIDER_IDS } from './provider-id';
import type { VaultEntry } from './vault-entry';

/** Sort order of `keys()`: primary first; `sort` is stable, so the rest keep the order they were added in. */
function primaryFirst(a: VaultEntry, b: VaultEntry): number {
  return Number(b.primary === true) - Number(a.primary === true);
}

/** The enabled vault entries as key configs per provider, each provider's primary key first. */
export function vaultProviderKeys(entries: readonly VaultEntry[]): ProviderKeys {
  const result = emptyProviderKeys();
  const enabled = entries.filter((entry) => !entry.disabled);
  for (const provider of PROVIDER_IDS) {
    for (const entry of enabled.filter((item) => item.provider === provider).sort(primaryFirst)) {
      const config: KeyConfig = { id: entry.id, secret: entry.secret };
      if (entry.weight !== undefined) config.weight = entry.weight;
      if (entry.limits !== undefined) config.limits = { ...entry.limits };
      if (entry.tags !== undefined) config.tags = [...entry.tags];
      if (entry.quotaGroup !== undefined) config.quotaGroup = entry.quotaGroup;
      result[provider].push(protectSecret(config, 'key'));
    }
  }
  return result;
}
