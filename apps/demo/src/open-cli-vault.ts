import { existsSync } from 'node:fs';
import { defaultVaultPath, openVault, type Vault } from '@keypool/keystore';
import { CliError } from './cli-error';
import type { CliIo } from './cli-io';
import { canPrompt, promptHidden } from './prompt-hidden';

/** The vault options every vault command takes. */
export interface VaultCommandOptions {
  /** `--vault <path>`. Default: `$KEYPOOL_VAULT`, else `~/.keypool/vault.json`. */
  vault?: string;
  /**
   * `keys add --machine-bound`: a new vault is encrypted with a key derived from this machine and user, no
   * passphrase; an existing vault must already be machine-bound (else exit 3, `vault_mode_mismatch`).
   */
  machineBound?: boolean;
}

/**
 * TEST ONLY: `KEYPOOL_SCRYPT_N` lowers the scrypt cost of the files this process writes (a power of two, e.g. 1024),
 * so that tests running dozens of CLI processes stay fast. Never set it for a real vault: it makes guessing the
 * passphrase cheap. Reading a file always uses the cost written in that file.
 */
function scryptFromEnv(env: Record<string, string | undefined>): { N: number } | undefined {
  const value = env.KEYPOOL_SCRYPT_N?.trim();
  if (!value) return undefined;
  const N = Number(value);
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0)
    throw CliError.usage('KEYPOOL_SCRYPT_N must be a power of two (test-only setting)', 'bad_scrypt');
  return { N };
}

/**
 * Opens the vault for a command. The passphrase comes from `KEYPOOL_PASSPHRASE`, else a hidden prompt on a terminal
 * (asked twice when the vault does not exist yet). With neither, the vault throws `vault_passphrase_missing` when it
 * first needs one, which the CLI reports with exit 3. Nothing is read before a command needs it.
 */
export function openCliVault(io: CliIo, options: VaultCommandOptions): Vault {
  const path = options.vault?.trim() || defaultVaultPath(io.env);
  const fromEnv = io.env.KEYPOOL_PASSPHRASE;
  const scrypt = scryptFromEnv(io.env);
  let passphrase: string | (() => Promise<string>) | undefined;
  if (fromEnv) passphrase = fromEnv;
  else if (canPrompt(io)) {
    passphrase = async () => {
      if (existsSync(path)) return promptHidden(io, `Passphrase for the vault ${path}`);
      const first = await promptHidden(io, `New vault ${path}: choose a passphrase`);
      const second = await promptHidden(io, 'Type the passphrase again');
      if (first !== second)
        throw CliError.usage('the two passphrases differ; nothing was written', 'passphrase_mismatch');
      return first;
    };
  }
  const vault = openVault({
    path,
    env: io.env,
    ...(options.machineBound ? { mode: 'machine' as const } : {}),
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(scrypt ? { scrypt } : {}),
  });
  return registeringSecrets(vault, io);
}

/** The vault methods that read or change entries: before the first of them runs, every secret is registered. */
const ENTRY_METHODS = [
  'list',
  'get',
  'getSecret',
  'keys',
  'add',
  'remove',
  'enable',
  'disable',
  'setPrimary',
] as const;

/**
 * Makes every command that opens the vault feed all of its secrets to the redactor before it reads or changes an
 * entry (before a `remove`, so the removed key is known too): whatever a command prints afterwards (a reason, a
 * label, an id, a library message) cannot carry a stored secret. The vault decrypts once; the secrets come from
 * that same read.
 */
function registeringSecrets(vault: Vault, io: CliIo): Vault {
  let registered: Promise<void> | undefined;
  const register = () => {
    registered ??= (async () => {
      for (const entry of await original.list()) {
        io.redactor.add(await original.getSecret(entry.provider, entry.id));
      }
    })();
    return registered;
  };
  const original = {
    list: vault.list.bind(vault),
    getSecret: vault.getSecret.bind(vault),
  };
  for (const name of ENTRY_METHODS) {
    const method = (vault[name] as (...args: unknown[]) => Promise<unknown>).bind(vault);
    Object.defineProperty(vault, name, {
      value: async (...args: unknown[]) => {
        await register();
        return method(...args);
      },
      configurable: true,
      writable: true,
    });
  }
  return vault;
}
