import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';

/**
 * The vault file is not a valid vault: truncated, not JSON, an unknown version, or its ciphertext failed
 * authentication (tampered). The file is never modified or deleted when this is thrown.
 */
export class VaultCorruptError extends KeystoreError {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super('vault_corrupt', `vault ${path} is corrupt: ${reason}; the file was left untouched`);
    this.brand('VaultCorruptError');
    this.path = path;
    this.reason = reason;
  }

  /** Whether a value is a `VaultCorruptError` from any copy of this package. */
  static override isInstance(value: unknown): value is VaultCorruptError {
    return hasKeystoreErrorMarker(value, 'VaultCorruptError');
  }

  protected override details(): Record<string, unknown> {
    return { path: this.path, reason: this.reason };
  }
}
