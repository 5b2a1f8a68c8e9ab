import { fingerprintSecret, headerUnsafe } from '@keypool/core';
import { isProviderId, type ProviderId, unknownProviderMessage } from './provider-id';
import type { VaultEntryInput } from './vault-entry';
import { VaultEntryError } from './vault-entry-error';

const ID_PATTERN = /^\S{1,200}$/;

const isNonNegative = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** What is wrong with the optional fields of an entry to add, if anything. */
function invalidEntryField(input: VaultEntryInput): string | undefined {
  if (input.weight !== undefined && !(isNonNegative(input.weight) && input.weight > 0)) {
    return 'weight must be a positive number';
  }
  for (const name of ['rpm', 'tpm', 'rpd'] as const) {
    const value = input.limits?.[name];
    if (value !== undefined && !isNonNegative(value)) return `limits.${name} must be a non-negative number`;
  }
  if (
    input.tags !== undefined &&
    !(Array.isArray(input.tags) && input.tags.every((tag) => typeof tag === 'string'))
  ) {
    return 'tags must be a list of strings';
  }
  if (
    input.quotaGroup !== undefined &&
    (typeof input.quotaGroup !== 'string' || input.quotaGroup.trim() === '')
  ) {
    return 'quotaGroup must be a non-empty string';
  }
  return undefined;
}

/**
 * Checks an entry to add to the vault and returns its provider, its id (by default `<provider>-<first 8 hex of the
 * fingerprint>`) and its trimmed secret. The messages never contain the secret.
 *
 * @throws {VaultEntryError} `vault_entry_invalid`, naming what is wrong.
 */
export function validateVaultEntryInput(input: VaultEntryInput): {
  provider: ProviderId;
  id: string;
  secret: string;
} {
  const provider = input.provider;
  const secret = typeof input.secret === 'string' ? input.secret.trim() : '';
  const id = input.id?.trim() || `${provider}-${secret === '' ? '' : fingerprintSecret(secret).slice(0, 8)}`;
  if (!isProviderId(provider)) {
    throw new VaultEntryError('vault_entry_invalid', undefined, id, unknownProviderMessage(String(provider)));
  }
  if (secret === '')
    throw new VaultEntryError(
      'vault_entry_invalid',
      provider,
      id,
      `${provider} key "${id}": the secret is empty`,
    );
  if (!ID_PATTERN.test(id)) {
    throw new VaultEntryError(
      'vault_entry_invalid',
      provider,
      id,
      'a key id must be 1 to 200 characters without spaces',
    );
  }
  const unsafe = headerUnsafe(secret);
  if (unsafe) {
    throw new VaultEntryError(
      'vault_entry_invalid',
      provider,
      id,
      `${provider} key "${id}": the secret ${unsafe}; a secret is sent in an HTTP header, which cannot carry it`,
    );
  }
  const badField = invalidEntryField(input);
  if (badField)
    throw new VaultEntryError('vault_entry_invalid', provider, id, `${provider} key "${id}": ${badField}`);
  return { provider, id, secret };
}
