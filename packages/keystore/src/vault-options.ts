import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FileLockOptions } from './file-lock';
import type { ScryptParams } from './vault-cipher';
import type { VaultMode } from './vault-file-format';

/** Options of a vault. Every field is optional; the defaults suit the CLI. */
export interface VaultOptions {
  /** The vault file. Default: `$KEYPOOL_VAULT`, else `~/.keypool/vault.json`. */
  path?: string;
  /**
   * The passphrase, or a function asked for it once, when it is first needed (a CLI prompts there). Default: the
   * `KEYPOOL_PASSPHRASE` environment variable. After a wrong passphrase the function is asked again next time.
   */
  passphrase?: string | (() => string | Promise<string>);
  /**
   * The protection mode to require. Default: whatever the file uses, and `passphrase` for a new file. `machine` is
   * weaker: see `VaultMode`.
   */
  mode?: VaultMode;
  /** Where `KEYPOOL_PASSPHRASE` and `KEYPOOL_VAULT` are read. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** scrypt cost for writes. Default N=2^17, r=8, p=1. Lower it only in tests. */
  scrypt?: Partial<ScryptParams>;
  /** Lock-file timing. */
  lock?: FileLockOptions;
  /** Machine-bound mode: replaces the machine identity (machine id or host name, plus user). */
  machineIdentity?: () => string | Promise<string>;
}

/** What `vault.status()` reports without decrypting anything. */
export interface VaultStatus {
  path: string;
  exists: boolean;
  mode?: VaultMode;
  version?: number;
  kdf?: ScryptParams & { name: 'scrypt' };
  /** For machine-bound vaults: the warning that this mode is weaker. */
  notice?: string;
}

/** What `vault.rekey()` changes: the passphrase, the mode, the scrypt cost (any of them). */
export interface VaultRekeyOptions {
  mode?: VaultMode;
  /** The new passphrase (required when the new mode is `passphrase`). */
  passphrase?: string;
  scrypt?: Partial<ScryptParams>;
}

/** The vault file used when no path is given: `$KEYPOOL_VAULT`, else `~/.keypool/vault.json`. */
export function defaultVaultPath(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.KEYPOOL_VAULT?.trim();
  return fromEnv ? fromEnv : join(homedir(), '.keypool', 'vault.json');
}
