import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fingerprintSecret, maskSecret } from '@keypool/core';
import { type KeysJsonEntry, keysJsonToKeysFile, parseKeysJson, VaultEntryError } from '@keypool/keystore';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { formatTable } from '../format-table';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { writeFileAtomic } from '../write-file-atomic';

/** One keys.json entry and what happened to it. */
interface ImportLine {
  provider: string;
  id: string;
  masked: string;
  models: string[];
  active: boolean;
  /** The vault entry the keys file refers to. */
  vaultId: string;
  result: 'added' | 'existing';
}

/** Options of `keypool keys import`. */
export interface KeysImportOptions extends VaultCommandOptions {
  /** The keys file to write (default `keypool.json`). */
  out?: string;
  force?: boolean;
  json?: boolean;
}

/**
 * `keypool keys import <keys.json>`: reads a keys.json file (`key_id`, `api_key`, `provider`, `model_name`, `rpm`,
 * `tpm`, `rpd`, `active`, `tags`, `created_at`), puts each secret in the vault (a secret already stored is reused) and
 * writes a keys file that refers to them, keeping each key's model binding (`model_name` as `models`), limits and
 * tags; an inactive key is written as `disabled`. Nothing is written when the file is bad or the output exists, and
 * the keys file is written whole or not at all.
 */
export async function keysImport(
  { io, out }: CommandContext,
  source: string,
  options: KeysImportOptions,
): Promise<number> {
  const file = resolve(options.out?.trim() || 'keypool.json');
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      {
        exitCode: ExitCode.usage,
        code: 'keys_json_unreadable',
      },
    );
  }
  const loaded = parseKeysJson(text, { file: source });
  for (const entry of loaded.entries) io.redactor.add(entry.key.secret);
  if (existsSync(file) && !options.force)
    throw new CliError(`${file} exists; add --force to replace it (nothing was written)`, {
      exitCode: ExitCode.conflict,
      code: 'keys_file_exists',
    });

  const vault = openCliVault(io, options);
  const existing = await vault.list();
  // A clash is checked for every entry before anything is stored: an import with a clash adds nothing.
  for (const { provider, key } of loaded.entries) {
    const fingerprint = fingerprintSecret(key.secret);
    const taken = existing.find((entry) => entry.provider === provider && entry.id === key.id);
    if (taken && taken.fingerprint !== fingerprint)
      throw new CliError(`the vault already has a ${provider} key "${key.id}" with another secret`, {
        exitCode: ExitCode.conflict,
        code: 'vault_entry_exists',
      });
  }
  const lines: ImportLine[] = [];
  const vaultIds = new Map<KeysJsonEntry, string>();
  for (const entry of loaded.entries) {
    const { provider, key } = entry;
    const fingerprint = fingerprintSecret(key.secret);
    const twin = existing.find(
      (stored) => stored.provider === provider && stored.fingerprint === fingerprint,
    );
    let vaultId = twin?.id ?? key.id;
    if (!twin) {
      try {
        vaultId = (await vault.add({ provider, id: key.id, secret: key.secret })).id;
      } catch (error) {
        if (!(VaultEntryError.isInstance(error) && /exists|duplicate/.test(error.code))) throw error;
        throw new CliError(`${provider} key "${key.id}": ${error.message}`, {
          exitCode: ExitCode.conflict,
          code: error.code,
        });
      }
    }
    vaultIds.set(entry, vaultId);
    lines.push({
      provider,
      id: key.id,
      masked: maskSecret(key.secret),
      models: key.models ?? [],
      active: entry.active,
      vaultId,
      result: twin ? 'existing' : 'added',
    });
  }
  const keysFile = keysJsonToKeysFile(loaded, {
    from: (entry) => `vault:${entry.provider}/${vaultIds.get(entry)}`,
  });
  await writeFileAtomic(file, `${JSON.stringify(keysFile, null, 2)}\n`, 0o644);

  const added = lines.filter((line) => line.result === 'added').length;
  out.json({ ok: true, file, vault: vault.path, added, reused: lines.length - added, keys: lines });
  out.print(
    formatTable(
      ['PROVIDER', 'ID', 'KEY', 'MODELS', 'VAULT'],
      lines.map((line) => [
        line.provider,
        line.active ? line.id : `${line.id} (inactive)`,
        line.masked,
        line.models.join(', ') || 'any',
        line.result === 'added' ? 'added' : `already stored as "${line.vaultId}"`,
      ]),
    ),
  );
  out.print(`wrote ${file} (${lines.length} keys; secrets stay in the vault ${vault.path})`);
  return 0;
}
