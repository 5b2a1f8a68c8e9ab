import { formatIssuePath } from './format-issue-path';
import { decryptVault, encryptVault, type VaultKeys } from './vault-cipher';
import { VaultCorruptError } from './vault-corrupt-error';
import type { VaultKeyMaterial } from './vault-credentials';
import { type VaultEntry, vaultPayloadSchema } from './vault-entry';
import { MACHINE_MODE_NOTICE, type VaultFile } from './vault-file-format';

/** The decrypted contents of a vault file. */
export interface VaultPayload {
  entries: VaultEntry[];
  /** Top-level payload fields other than `entries` (from newer versions), kept on rewrite. */
  extra: Record<string, unknown>;
}

/**
 * Decrypts and checks the contents of the vault file at `path` with keys already known to match it.
 *
 * @throws {VaultCorruptError} when the ciphertext fails authentication or its contents are not a valid payload.
 */
export function openVaultPayload(path: string, file: VaultFile, keys: VaultKeys): VaultPayload {
  const result = decryptVault(file, keys);
  if (!result.ok) throw new VaultCorruptError(path, result.reason);
  let payload: unknown;
  try {
    payload = JSON.parse(result.plaintext.toString('utf8'));
  } catch {
    throw new VaultCorruptError(path, 'the decrypted contents are not JSON');
  }
  const parsed = vaultPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VaultCorruptError(path, `the decrypted contents are invalid at ${formatIssuePath(issue.path)}`);
  }
  const { entries, ...extra } = parsed.data;
  return { entries: entries as VaultEntry[], extra };
}

/**
 * The text of a vault file holding `payload`, encrypted with `keys` (fresh IV) under the header of `material`; a
 * machine-bound file also carries the notice that says it is weaker.
 */
export function sealVaultPayload(payload: VaultPayload, keys: VaultKeys, material: VaultKeyMaterial): string {
  const plaintext = Buffer.from(JSON.stringify({ ...payload.extra, entries: payload.entries }), 'utf8');
  const file = encryptVault(plaintext, keys, {
    mode: material.mode,
    ...(material.machine ? { machine: material.machine } : {}),
  });
  return `${JSON.stringify(material.mode === 'machine' ? { ...file, notice: MACHINE_MODE_NOTICE } : file, null, 2)}\n`;
}
