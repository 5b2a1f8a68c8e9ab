import { fingerprintSecret, maskSecret } from '@keypool/core';
import { keysFromEnv, VaultEntryError } from '@keypool/keystore';
import type { CommandContext } from '../command-context';
import { formatTable } from '../format-table';
import { openCliVault, type VaultCommandOptions } from '../open-cli-vault';
import { PROVIDERS } from '../providers';

/** One env key and what happened to it. */
interface ImportLine {
  provider: string;
  id: string;
  masked: string;
  result: 'added' | 'skipped';
  reason?: string;
}

/** The vault id of an env key: its variable without the `env:` prefix (`OPENAI_API_KEY`, `OPENAI_API_KEYS#2`). */
function vaultIdOf(envId: string): string {
  return envId.startsWith('env:') ? envId.slice(4) : envId;
}

/**
 * `keypool keys import-env`: copies the keys found in the environment (keystore's `keysFromEnv`: OPENAI_API_KEY,
 * OPENAI_API_KEY_2, OPENAI_API_KEYS=a,b, ...) into the vault, named after their variable. A key whose secret is
 * already stored for the provider, or whose id is taken, is skipped and reported.
 */
export async function keysImportEnv(
  { io, out }: CommandContext,
  options: VaultCommandOptions & { json?: boolean },
): Promise<number> {
  const found = keysFromEnv(io.env);
  const vault = openCliVault(io, options);
  const lines: ImportLine[] = [];
  const total = PROVIDERS.reduce((sum, provider) => sum + found[provider].length, 0);
  if (total > 0) {
    const existing = await vault.list();
    for (const provider of PROVIDERS) {
      for (const key of found[provider]) {
        io.redactor.add(key.secret);
        const id = vaultIdOf(key.id);
        const line: ImportLine = {
          provider,
          id,
          masked: maskSecret(key.secret),
          result: 'added',
        };
        const fingerprint = fingerprintSecret(key.secret);
        const twin = existing.find(
          (entry) => entry.provider === provider && entry.fingerprint === fingerprint,
        );
        const taken = existing.some((entry) => entry.provider === provider && entry.id === id);
        if (twin) Object.assign(line, { result: 'skipped', reason: `already stored as "${twin.id}"` });
        else if (taken)
          Object.assign(line, { result: 'skipped', reason: `id "${id}" is taken by another key` });
        else {
          try {
            await vault.add({ provider, id, secret: key.secret });
          } catch (error) {
            // Another process may have added it since we listed: a duplicate is still a skip.
            if (!(VaultEntryError.isInstance(error) && /exists|duplicate/.test(error.code))) throw error;
            Object.assign(line, { result: 'skipped', reason: error.message });
          }
        }
        lines.push(line);
      }
    }
  }
  const added = lines.filter((line) => line.result === 'added').length;
  out.json({ ok: true, vault: vault.path, added, skipped: lines.length - added, keys: lines });
  if (lines.length === 0) {
    out.print(
      'no keys in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, MISTRAL_API_KEY, ...)',
    );
    return 0;
  }
  out.print(
    formatTable(
      ['PROVIDER', 'ID', 'KEY', 'RESULT'],
      lines.map((line) => [
        line.provider,
        line.id,
        line.masked,
        line.reason ? `skipped: ${line.reason}` : 'added',
      ]),
    ),
  );
  out.print(`${added} added, ${lines.length - added} skipped (${vault.path})`);
  return 0;
}
