import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';
import type { ProviderId } from './provider-id';

/**
 * An operation on one vault entry failed: invalid input, no such entry (or an id found under several providers), the
 * id is taken, the entry is disabled, or the secret is already stored under another id.
 */
export class VaultEntryError extends KeystoreError {
  readonly provider: ProviderId | undefined;
  readonly id: string;

  constructor(
    code:
      | 'vault_entry_invalid'
      | 'vault_entry_not_found'
      | 'vault_entry_ambiguous'
      | 'vault_entry_exists'
      | 'vault_entry_disabled'
      | 'vault_duplicate_secret',
    provider: ProviderId | undefined,
    id: string,
    message: string,
  ) {
    super(code, message);
    this.brand('VaultEntryError');
    this.provider = provider;
    this.id = id;
  }

  /** Whether a value is a `VaultEntryError` from any copy of this package. */
  static override isInstance(value: unknown): value is VaultEntryError {
    return hasKeystoreErrorMarker(value, 'VaultEntryError');
  }

  protected override details(): Record<string, unknown> {
    return { provider: this.provider, id: this.id };
  }
}
