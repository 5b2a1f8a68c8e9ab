import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';
import type { VaultMode } from './vault-file-format';

/** The caller asked for one protection mode and the file on disk uses the other; nothing was read or written. */
export class VaultModeError extends KeystoreError {
  readonly path: string;
  readonly expected: VaultMode;
  readonly actual: VaultMode;

  constructor(path: string, expected: VaultMode, actual: VaultMode) {
    super('vault_mode_mismatch', `vault ${path} is in ${actual} mode, but ${expected} mode was requested`);
    this.brand('VaultModeError');
    this.path = path;
    this.expected = expected;
    this.actual = actual;
  }

  /** Whether a value is a `VaultModeError` from any copy of this package. */
  static override isInstance(value: unknown): value is VaultModeError {
    return hasKeystoreErrorMarker(value, 'VaultModeError');
  }

  protected override details(): Record<string, unknown> {
    return { path: this.path, expected: this.expected, actual: this.actual };
  }
}
