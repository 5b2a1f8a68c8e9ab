import { PoolExhaustedError } from '@keypool/core';
import {
  VaultAccessError,
  VaultCorruptError,
  VaultEntryError,
  VaultLockError,
  VaultPassphraseError,
} from '@keypool/keystore';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error';
import { errorReport } from './error-report';

describe('errorReport', () => {
  it('maps each error to its documented exit code', () => {
    expect(errorReport(CliError.usage('bad')).exitCode).toBe(2);
    expect(
      errorReport(new VaultPassphraseError('vault_passphrase_wrong', '/v', 'wrong passphrase')).exitCode,
    ).toBe(3);
    expect(errorReport(new VaultCorruptError('/v', 'truncated')).exitCode).toBe(3);
    expect(errorReport(new VaultEntryError('vault_entry_not_found', 'openai', 'x', 'no key')).exitCode).toBe(
      4,
    );
    expect(errorReport(new VaultEntryError('vault_entry_exists', 'openai', 'x', 'taken')).exitCode).toBe(5);
    expect(errorReport(new VaultEntryError('vault_entry_invalid', 'openai', 'x', 'bad id')).exitCode).toBe(2);
    expect(errorReport(new VaultLockError('/v.lock', 30_000, undefined)).exitCode).toBe(6);
    expect(errorReport(new VaultAccessError('/v', 'read', 'EISDIR'))).toMatchObject({
      code: 'vault_unreadable',
      exitCode: 3,
    });
    expect(errorReport(new VaultAccessError('/v', 'write', 'EACCES'))).toMatchObject({
      code: 'vault_unwritable',
      exitCode: 3,
    });
    const exhausted = new PoolExhaustedError({
      provider: 'openai',
      retryAfterMs: 10,
      keys: [],
      errors: [],
      reason: 'no_usable_key',
    });
    expect(errorReport(exhausted)).toMatchObject({ code: 'pool_exhausted', exitCode: 1 });
    expect(errorReport(new Error('boom'))).toEqual({ code: 'unexpected', message: 'boom', exitCode: 1 });
  });

  it('says how to give a missing passphrase', () => {
    const report = errorReport(new VaultPassphraseError('vault_passphrase_missing', '/home/me/v.json', 'x'));
    expect(report).toMatchObject({ exitCode: 3, code: 'vault_passphrase_missing' });
    expect(report.message).toContain('KEYPOOL_PASSPHRASE');
    expect(report.message).toContain('/home/me/v.json');
  });
});
