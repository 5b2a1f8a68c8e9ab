import { maskKeyLike } from '@keypool/core';

/** Every `code` a keystore error can carry. */
export type KeystoreErrorCode =
  | 'env_empty_value'
  | 'env_invalid_value'
  | 'keys_file_unreadable'
  | 'keys_file_invalid'
  | 'secret_unresolved'
  | 'vault_passphrase_missing'
  | 'vault_passphrase_wrong'
  | 'vault_mode_mismatch'
  | 'vault_corrupt'
  | 'vault_unreadable'
  | 'vault_unwritable'
  | 'vault_locked'
  | 'vault_entry_invalid'
  | 'vault_entry_not_found'
  | 'vault_entry_ambiguous'
  | 'vault_entry_exists'
  | 'vault_entry_disabled'
  | 'vault_duplicate_secret';

const BASE_MARKER = Symbol.for('keypool.keystore.error');

/** The marker a keystore error class puts on its instances, shared by every copy of this package. */
export function keystoreErrorMarker(name: string): symbol {
  return Symbol.for(`keypool.keystore.error.${name}`);
}

/**
 * The base of every error this package throws. Messages name files, paths, variables, key ids and references,
 * never a secret or a passphrase. Checks work across duplicate copies of the package through `isInstance`
 * (a `Symbol.for` brand) rather than `instanceof`.
 */
export class KeystoreError extends Error {
  readonly code: KeystoreErrorCode;

  /** Anything in `message` that looks like a key (a secret pasted as an id or a reference) is masked. */
  constructor(code: KeystoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(maskKeyLike(message), options);
    this.name = 'KeystoreError';
    this.code = code;
    Object.defineProperty(this, BASE_MARKER, { value: true });
  }

  /** Whether a value is a keystore error (any subclass), from any copy of this package. */
  static isInstance(value: unknown): value is KeystoreError {
    return (
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BASE_MARKER] === true
    );
  }

  /** Marks this instance as a member of the named subclass, so the subclass's `isInstance` recognises it. */
  protected brand(name: string): void {
    this.name = name;
    Object.defineProperty(this, keystoreErrorMarker(name), { value: true });
  }

  /** The error's own fields beyond name, code and message; subclasses add theirs. */
  protected details(): Record<string, unknown> {
    return {};
  }

  /** A JSON view: name, code, message and the subclass's fields (never a secret). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.details() };
  }
}

/** Whether a value carries the named subclass's marker. */
export function hasKeystoreErrorMarker(value: unknown, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[keystoreErrorMarker(name)] === true
  );
}
