import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';

/** File-system failures that mean "this path cannot be used as a vault", with what to tell the user. */
const EXPLAINED: Record<string, string> = {
  EISDIR: 'the path is a directory, not a file',
  ELOOP: 'the path is a symbolic link loop',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the path is too long',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
};

/**
 * The vault file cannot be read or written for a reason of the file system: the path is a directory or a symlink
 * loop, the folder is read-only, permission is denied, the disk is full. `errno` is the system's code (`EISDIR`,
 * `EACCES`...). The file, if there is one, is untouched.
 */
export class VaultAccessError extends KeystoreError {
  readonly path: string;
  readonly operation: 'read' | 'write';
  readonly errno: string;

  constructor(path: string, operation: 'read' | 'write', errno: string, options?: { cause?: unknown }) {
    super(
      operation === 'read' ? 'vault_unreadable' : 'vault_unwritable',
      `cannot ${operation} the vault ${path}: ${EXPLAINED[errno] ?? errno} (${errno})${
        operation === 'write' ? '; the vault needs a writable folder for its file and lock' : ''
      }`,
      options,
    );
    this.brand('VaultAccessError');
    this.path = path;
    this.operation = operation;
    this.errno = errno;
  }

  /** Whether a value is a `VaultAccessError` from any copy of this package. */
  static override isInstance(value: unknown): value is VaultAccessError {
    return hasKeystoreErrorMarker(value, 'VaultAccessError');
  }

  protected override details(): Record<string, unknown> {
    return { path: this.path, operation: this.operation, errno: this.errno };
  }
}

/**
 * The `VaultAccessError` for a file-system error with one of the explained codes, or the error itself for anything
 * else (already typed errors pass through unchanged).
 */
export function asVaultAccessError(path: string, operation: 'read' | 'write', error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (KeystoreError.isInstance(error) || typeof code !== 'string' || !(code in EXPLAINED)) return error;
  return new VaultAccessError(path, operation, code, { cause: error });
}
