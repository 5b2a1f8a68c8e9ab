import { readFile } from 'node:fs/promises';
import { formatIssuePath } from './format-issue-path';
import { asVaultAccessError } from './vault-access-error';
import { scryptParamsProblem } from './vault-cipher';
import { VaultCorruptError } from './vault-corrupt-error';
import { type VaultFile, vaultFileSchema } from './vault-file-format';

/**
 * Checks the text of the vault file at `path` and returns its envelope (nothing is decrypted).
 *
 * @throws {VaultCorruptError} when the text is not JSON, not a version 1 vault file, or asks for unacceptable scrypt
 *   parameters or a short salt.
 */
export function parseVaultFile(path: string, text: string): VaultFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VaultCorruptError(
      path,
      text.trim() === '' ? 'the file is empty' : 'not valid JSON (truncated?)',
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new VaultCorruptError(path, 'not a vault file');
  }
  const version = (json as { version?: unknown }).version;
  if (version !== 1) {
    throw new VaultCorruptError(
      path,
      typeof version === 'number'
        ? `format version ${version} is not supported (this version of @keypool/keystore reads version 1)`
        : 'no format version',
    );
  }
  const parsed = vaultFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VaultCorruptError(path, `${formatIssuePath(issue.path)} is missing or invalid`);
  }
  const problem = scryptParamsProblem(parsed.data.kdf);
  if (problem) throw new VaultCorruptError(path, `unacceptable scrypt parameters: ${problem}`);
  if (Buffer.from(parsed.data.kdf.salt, 'base64').length < 16) {
    throw new VaultCorruptError(path, 'the salt is shorter than 16 bytes');
  }
  return parsed.data;
}

/**
 * The text of the vault file, or `undefined` when there is none.
 *
 * @throws {VaultAccessError} when the file exists but cannot be read.
 */
export async function readVaultText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asVaultAccessError(path, 'read', error);
  }
}
