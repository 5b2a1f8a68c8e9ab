import { isProviderId, type ProviderId } from './provider-id';
import type { SecretRefContext, SecretSource } from './secret-source';
import { Vault } from './vault';
import { VaultEntryError } from './vault-entry-error';
import type { VaultOptions } from './vault-options';

function isVault(value: Vault | VaultOptions | undefined): value is Vault {
  return typeof (value as Vault | undefined)?.getSecret === 'function';
}

/**
 * The `vault:` secret source. `vault:provider/id` names an entry exactly; `vault:id` looks in the provider of the key
 * being resolved (or across all providers when there is none, which must then be unambiguous). A disabled entry is
 * an error. Takes a vault, or the options to open one lazily (default: the default vault with `KEYPOOL_PASSPHRASE`).
 */
export function vaultSource(vault?: Vault | VaultOptions): SecretSource {
  let instance: Vault | undefined = isVault(vault) ? vault : undefined;
  return {
    scheme: 'vault',
    async resolve(ref: string, context?: SecretRefContext): Promise<string> {
      instance ??= new Vault(isVault(vault) ? {} : vault);
      const slash = ref.indexOf('/');
      const prefix = slash > 0 ? ref.slice(0, slash) : undefined;
      const provider: ProviderId | undefined = isProviderId(prefix) ? prefix : context?.provider;
      const id = isProviderId(prefix) ? ref.slice(slash + 1) : ref;
      const entry = await instance.get(provider, id);
      if (entry.disabled) {
        throw new VaultEntryError(
          'vault_entry_disabled',
          entry.provider,
          id,
          `${entry.provider} key "${id}" is disabled in the vault${entry.disabledReason ? ` (${entry.disabledReason})` : ''}`,
        );
      }
      return instance.getSecret(entry.provider, id);
    },
  };
}
