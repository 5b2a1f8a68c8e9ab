import { describe, expect, it } from 'vitest';
import { EnvKeysError } from './env-keys-error';
import { KeysFileError } from './keys-file-error';
import { KeystoreError } from './keystore-error';
import { SecretResolveError } from './secret-resolve-error';
import { VaultCorruptError } from './vault-corrupt-error';
import { VaultEntryError } from './vault-entry-error';
import { VaultLockError } from './vault-lock-error';
import { VaultModeError } from './vault-mode-error';
import { VaultPassphraseError } from './vault-passphrase-error';

const errors = [
  new EnvKeysError([{ variable: 'OPENAI_API_KEY', message: 'is set but empty' }]),
  new KeysFileError('keys_file_invalid', 'k.json', [{ path: 'version', message: 'must be 1' }]),
  new SecretResolveError([{ ref: 'env:X', reason: 'environment variable X is not set' }]),
  new VaultPassphraseError('vault_passphrase_wrong', '/v.json', 'wrong passphrase for the vault /v.json'),
  new VaultCorruptError('/v.json', 'the file is empty'),
  new VaultModeError('/v.json', 'machine', 'passphrase'),
  new VaultLockError('/v.json.lock', 100, undefined),
  new VaultEntryError('vault_entry_not_found', 'openai', 'a', 'no openai key "a"'),
];

const classes = [
  EnvKeysError,
  KeysFileError,
  SecretResolveError,
  VaultPassphraseError,
  VaultCorruptError,
  VaultModeError,
  VaultLockError,
  VaultEntryError,
];

describe('keystore errors', () => {
  it('are recognised by brand, each by its own class only, and by the base', () => {
    errors.forEach((error, index) => {
      expect(KeystoreError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
      classes.forEach((errorClass, classIndex) => {
        expect(errorClass.isInstance(error)).toBe(index === classIndex);
      });
      expect(error.name).toBe(classes[index]!.name);
    });
    expect(KeystoreError.isInstance(new Error('x'))).toBe(false);
    expect(KeystoreError.isInstance(null)).toBe(false);
  });

  it('serialise to JSON with name, code, message and their fields', () => {
    expect(JSON.parse(JSON.stringify(errors[1]))).toEqual({
      name: 'KeysFileError',
      code: 'keys_file_invalid',
      message: 'k.json: version: must be 1',
      file: 'k.json',
      issues: [{ path: 'version', message: 'must be 1' }],
    });
    expect(JSON.parse(JSON.stringify(errors[5]))).toMatchObject({
      expected: 'machine',
      actual: 'passphrase',
    });
  });

  it('keep the cause', () => {
    const cause = new Error('EACCES');
    expect(new KeysFileError('keys_file_unreadable', 'k.json', [], { cause }).cause).toBe(cause);
  });
});
