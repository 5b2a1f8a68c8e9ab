import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';

/**
 * The vault cannot be opened with what was given: no passphrase at all (`vault_passphrase_missing`), or a
 * passphrase (or, in machine-bound mode, a machine identity) that does not match the file (`vault_passphrase_wrong`).
 * The file is never modified when this is thrown.
 */
export class VaultPassphraseError extends KeystoreError {
  readonly path: string;

  constructor(code: 'vault_passphrase_missing' | 'vault_passphrase_wrong', path: string, message: string) {
    super(code, message);
    this.brand('VaultPassphraseError');
    this.path = path;
  }

  /** Whether a value is a `VaultPassphraseError` from any copy of this package. */
  static override isInstance(value: unknown): value is VaultPassphraseError {
    return hasKeystoreErrorMarker(value, 'VaultPassphraseError');
  }

  protected override details(): Record<string, unknown> {
    return { path: this.path };
  }
}
