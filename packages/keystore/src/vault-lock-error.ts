import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';

/** Another writer held the vault's lock for longer than the lock timeout; nothing was written. */
export class VaultLockError extends KeystoreError {
  readonly lockPath: string;
  readonly waitedMs: number;

  constructor(lockPath: string, waitedMs: number, holder: string | undefined) {
    super(
      'vault_locked',
      `could not lock ${lockPath} within ${waitedMs} ms${holder === undefined ? '' : ` (held by ${holder})`}`,
    );
    this.brand('VaultLockError');
    this.lockPath = lockPath;
    this.waitedMs = waitedMs;
  }

  /** Whether a value is a `VaultLockError` from any copy of this package. */
  static override isInstance(value: unknown): value is VaultLockError {
    return hasKeystoreErrorMarker(value, 'VaultLockError');
  }

  protected override details(): Record<string, unknown> {
    return { lockPath: this.lockPath, waitedMs: this.waitedMs };
  }
}
