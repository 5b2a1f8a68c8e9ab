import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecretScrubber, type TextScrubber } from '@keypool/core';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-write';
import { isProcessAlive, withFileLock } from './file-lock';
import { findVaultEntry } from './find-vault-entry';
import type { ProviderKeys } from './key-config';
import { parseVaultFile, readVaultText } from './parse-vault-file';
import type { ProviderId } from './provider-id';
import { validateVaultEntryInput } from './validate-vault-entry-input';
import { asVaultAccessError } from './vault-access-error';
import {
  DEFAULT_SCRYPT_PARAMS,
  deriveVaultKeys,
  newSalt,
  type ScryptParams,
  scryptParamsProblem,
  type VaultKeys,
  vaultKeysMatch,
} from './vault-cipher';
import { VaultCredentials, type VaultKeyMaterial } from './vault-credentials';
import { type VaultEntry, type VaultEntryInfo, type VaultEntryInput, vaultEntryInfo } from './vault-entry';
import { VaultEntryError } from './vault-entry-error';
import { MACHINE_MODE_NOTICE, type MachineIdentitySource, type VaultMode } from './vault-file-format';
import { VaultModeError } from './vault-mode-error';
import {
  defaultVaultPath,
  type VaultOptions,
  type VaultRekeyOptions,
  type VaultStatus,
} from './vault-options';
import { VaultPassphraseError } from './vault-passphrase-error';
import { openVaultPayload, sealVaultPayload, type VaultPayload } from './vault-payload';
import { vaultProviderKeys } from './vault-provider-keys';

/** A decrypted vault file, cached by the file's text. */
interface DecryptedVault extends VaultPayload {
  text: string;
  mode: VaultMode;
  identity: MachineIdentitySource | undefined;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** A scrubber that masks every secret of the vault (and anything key-like) in a text. */
function scrubberOf(entries: readonly VaultEntry[]): TextScrubber {
  return createSecretScrubber(entries.map((entry) => entry.secret));
}

/**
 * An encrypted file of API keys (AES-256-GCM, key derived by scrypt from a passphrase, or from the machine's identity
 * in the weaker machine-bound mode). Every change is a read-modify-write inside an exclusive lock file, written
 * atomically with mode 0600, so concurrent writers in many processes lose nothing and a crash leaves the old file.
 * A wrong passphrase or a damaged file throws a typed error and never touches the file. Nothing in the vault's
 * errors, JSON or inspect output contains a secret or the passphrase.
 */
export class Vault {
  /** The vault file. */
  readonly path: string;
  readonly #options: VaultOptions;
  readonly #credentials: VaultCredentials;
  #writeParams: ScryptParams;
  #requiredMode: VaultMode | undefined;
  #cache: DecryptedVault | undefined;

  constructor(options: VaultOptions = {}) {
    this.#options = options;
    this.path = options.path ?? defaultVaultPath(options.env);
    this.#writeParams = { ...DEFAULT_SCRYPT_PARAMS, ...options.scrypt };
    this.#requiredMode = options.mode;
    this.#credentials = new VaultCredentials(this.path, options);
    const problem = scryptParamsProblem(this.#writeParams);
    if (problem) throw new RangeError(`invalid scrypt parameters: ${problem}`);
  }

  /** The file's header (mode, format version, scrypt cost) without decrypting; `exists: false` when there is none. */
  async status(): Promise<VaultStatus> {
    const text = await readVaultText(this.path);
    if (text === undefined) return { path: this.path, exists: false };
    const file = parseVaultFile(this.path, text);
    return {
      path: this.path,
      exists: true,
      mode: file.mode,
      version: file.version,
      kdf: { name: 'scrypt', N: file.kdf.N, r: file.kdf.r, p: file.kdf.p },
      ...(file.mode === 'machine' ? { notice: MACHINE_MODE_NOTICE } : {}),
    };
  }

  /** Every entry, masked (no secrets), optionally of one provider. An absent file is an empty vault. */
  async list(provider?: ProviderId): Promise<VaultEntryInfo[]> {
    const entries = await this.#read();
    const scrub = scrubberOf(entries);
    return entries
      .filter((entry) => provider === undefined || entry.provider === provider)
      .map((entry) => vaultEntryInfo(entry, scrub));
  }

  /**
   * One entry, masked. Without a provider the id must be unique across providers.
   *
   * @throws {VaultEntryError} `vault_entry_not_found` or `vault_entry_ambiguous`.
   */
  async get(provider: ProviderId | undefined, id: string): Promise<VaultEntryInfo> {
    const entries = await this.#read();
    return vaultEntryInfo(this.#findEntry(entries, provider, id), scrubberOf(entries));
  }

  /**
   * The secret of one entry (disabled or not). Without a provider the id must be unique across providers.
   *
   * @throws {VaultEntryError} `vault_entry_not_found` or `vault_entry_ambiguous`.
   */
  async getSecret(provider: ProviderId | undefined, id: string): Promise<string> {
    return this.#findEntry(await this.#read(), provider, id).secret;
  }

  /** The enabled entries as key configs per provider, each provider's primary key first. */
  async keys(): Promise<ProviderKeys> {
    return vaultProviderKeys(await this.#read());
  }

  /**
   * Stores a new key. The id defaults to `<provider>-<first 8 hex of the fingerprint>`. `primary: true` makes it the
   * provider's only primary key.
   *
   * @throws {VaultEntryError} `vault_entry_invalid`, `vault_entry_exists` (id taken in this provider) or
   *   `vault_duplicate_secret` (the same secret is already stored for this provider).
   */
  async add(input: VaultEntryInput): Promise<VaultEntryInfo> {
    const { provider, id, secret } = validateVaultEntryInput(input);
    return this.#mutate((entries) => {
      if (entries.some((entry) => entry.provider === provider && entry.id === id)) {
        throw new VaultEntryError(
          'vault_entry_exists',
          provider,
          id,
          `${provider} key "${id}" already exists in the vault`,
        );
      }
      const twin = entries.find((entry) => entry.provider === provider && entry.secret === secret);
      if (twin) {
        throw new VaultEntryError(
          'vault_duplicate_secret',
          provider,
          id,
          `this secret is already stored as ${provider} key "${twin.id}"`,
        );
      }
      const entry: VaultEntry = { provider, id, secret, createdAt: new Date().toISOString() };
      if (input.label !== undefined) entry.label = input.label;
      if (input.disabled) entry.disabled = true;
      if (input.weight !== undefined) entry.weight = input.weight;
      if (input.limits !== undefined) entry.limits = { ...input.limits };
      if (input.tags !== undefined) entry.tags = [...input.tags];
      if (input.quotaGroup !== undefined) entry.quotaGroup = input.quotaGroup;
      if (input.primary) {
        for (const other of entries) if (other.provider === provider) delete other.primary;
        entry.primary = true;
      }
      entries.push(entry);
      return vaultEntryInfo(entry, scrubberOf(entries));
    });
  }

  /**
   * Removes a key and returns it (masked).
   *
   * @throws {VaultEntryError} `vault_entry_not_found`.
   */
  async remove(provider: ProviderId, id: string): Promise<VaultEntryInfo> {
    return this.#mutate((entries) => {
      const entry = this.#findEntry(entries, provider, id);
      entries.splice(entries.indexOf(entry), 1);
      return vaultEntryInfo(entry, scrubberOf(entries));
    });
  }

  /**
   * Puts a disabled key back into the pool.
   *
   * @throws {VaultEntryError} `vault_entry_not_found`.
   */
  async enable(provider: ProviderId, id: string): Promise<VaultEntryInfo> {
    return this.#mutate((entries) => {
      const entry = this.#findEntry(entries, provider, id);
      delete entry.disabled;
      delete entry.disabledReason;
      entry.updatedAt = new Date().toISOString();
      return vaultEntryInfo(entry, scrubberOf(entries));
    });
  }

  /**
   * Keeps a key in the vault but out of the pool, with an optional reason.
   *
   * @throws {VaultEntryError} `vault_entry_not_found`.
   */
  async disable(provider: ProviderId, id: string, reason?: string): Promise<VaultEntryInfo> {
    return this.#mutate((entries) => {
      const entry = this.#findEntry(entries, provider, id);
      entry.disabled = true;
      // The reason is stored scrubbed: a key pasted into it never reaches the file or any output.
      if (reason !== undefined) entry.disabledReason = scrubberOf(entries)(reason);
      else delete entry.disabledReason;
      entry.updatedAt = new Date().toISOString();
      return vaultEntryInfo(entry, scrubberOf(entries));
    });
  }

  /**
   * Makes a key its provider's primary key (listed first by `keys()`); the provider's other keys stop being primary.
   *
   * @throws {VaultEntryError} `vault_entry_not_found`.
   */
  async setPrimary(provider: ProviderId, id: string): Promise<VaultEntryInfo> {
    return this.#mutate((entries) => {
      const entry = this.#findEntry(entries, provider, id);
      for (const other of entries) if (other.provider === provider && other !== entry) delete other.primary;
      entry.primary = true;
      entry.updatedAt = new Date().toISOString();
      return vaultEntryInfo(entry, scrubberOf(entries));
    });
  }

  /**
   * Re-encrypts the vault under a new passphrase, mode or scrypt cost (the current one is needed to read it). After
   * this the vault object uses the new settings.
   */
  async rekey(options: VaultRekeyOptions): Promise<void> {
    const mode = options.mode ?? (await this.#fileMode()) ?? 'passphrase';
    if (mode === 'passphrase' && (options.passphrase === undefined || options.passphrase === '')) {
      throw new VaultPassphraseError(
        'vault_passphrase_missing',
        this.path,
        'rekeying to passphrase mode needs the new passphrase',
      );
    }
    const params = { ...this.#writeParams, ...options.scrypt };
    const problem = scryptParamsProblem(params);
    if (problem) throw new RangeError(`invalid scrypt parameters: ${problem}`);
    const material =
      mode === 'passphrase'
        ? { mode, value: options.passphrase! }
        : await this.#credentials.machine(undefined);
    await this.#mutate(() => undefined, { material, params, requireMode: false });
    if (mode === 'passphrase') this.#credentials.rememberPassphrase(options.passphrase!);
    if (this.#requiredMode !== undefined) this.#requiredMode = mode;
    this.#writeParams = params;
  }

  /** A safe view: the path only. */
  toJSON(): { path: string } {
    return { path: this.path };
  }

  /** A safe string: the path only. */
  toString(): string {
    return `Vault(${this.path})`;
  }

  /** What `util.inspect` (and so `console.log`) shows: the path only. */
  [INSPECT](): string {
    return this.toString();
  }

  #findEntry(entries: VaultEntry[], provider: ProviderId | undefined, id: string): VaultEntry {
    return findVaultEntry(entries, provider, id, this.path);
  }

  async #fileMode(): Promise<VaultMode | undefined> {
    const text = await readVaultText(this.path);
    return text === undefined ? undefined : parseVaultFile(this.path, text).mode;
  }

  /** The key material for the next write: the file's mode (or the required one, or passphrase for a new file). */
  async #materialForWrite(): Promise<VaultKeyMaterial> {
    const text = await readVaultText(this.path);
    const header = text === undefined ? undefined : parseVaultFile(this.path, text);
    if (header && this.#requiredMode !== undefined && header.mode !== this.#requiredMode) {
      throw new VaultModeError(this.path, this.#requiredMode, header.mode);
    }
    return this.#credentials.forMode(
      this.#requiredMode ?? header?.mode ?? 'passphrase',
      header?.machine?.identity,
    );
  }

  async #decrypt(text: string): Promise<DecryptedVault> {
    if (this.#cache?.text === text) return this.#cache;
    const file = parseVaultFile(this.path, text);
    const required = this.#requiredMode;
    if (required !== undefined && required !== file.mode)
      throw new VaultModeError(this.path, required, file.mode);
    const material = await this.#credentials.forMode(file.mode, file.machine?.identity);
    const keys = await deriveVaultKeys(material.value, Buffer.from(file.kdf.salt, 'base64'), file.kdf);
    if (!vaultKeysMatch(file, keys)) {
      if (file.mode === 'passphrase') {
        this.#credentials.forgetPassphrase(); // ask again next time
        throw new VaultPassphraseError(
          'vault_passphrase_wrong',
          this.path,
          `wrong passphrase for the vault ${this.path}`,
        );
      }
      throw new VaultPassphraseError(
        'vault_passphrase_wrong',
        this.path,
        `the vault ${this.path} is bound to another machine or user and cannot be decrypted here`,
      );
    }
    const decrypted: DecryptedVault = {
      text,
      mode: file.mode,
      identity: file.machine?.identity,
      ...openVaultPayload(this.path, file, keys),
    };
    this.#cache = decrypted;
    return decrypted;
  }

  async #read(): Promise<VaultEntry[]> {
    const text = await readVaultText(this.path);
    if (text === undefined) return [];
    return (await this.#decrypt(text)).entries;
  }

  /**
   * The one write path: derive the new key (slow, so outside the lock), then under the lock read, decrypt, apply
   * the change, encrypt with a fresh salt and IV, and replace the file atomically. If anything before the rename
   * throws, the file is untouched.
   */
  async #mutate<T>(
    change: (entries: VaultEntry[]) => T,
    target?: { material: VaultKeyMaterial; params: ScryptParams; requireMode: false },
  ): Promise<T> {
    try {
      return await this.#mutateUnderLock(change, target);
    } catch (error) {
      throw asVaultAccessError(this.path, 'write', error);
    }
  }

  async #mutateUnderLock<T>(
    change: (entries: VaultEntry[]) => T,
    target?: { material: VaultKeyMaterial; params: ScryptParams; requireMode: false },
  ): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const params = target?.params ?? this.#writeParams;
    let material: VaultKeyMaterial = target?.material ?? (await this.#materialForWrite());
    let keys: VaultKeys = await deriveVaultKeys(material.value, newSalt(), params);

    return withFileLock(
      `${this.path}.lock`,
      async () => {
        const text = await readVaultText(this.path);
        const current = text === undefined ? undefined : await this.#decrypt(text);
        if (
          !target &&
          current &&
          (current.mode !== material.mode || current.identity !== material.machine?.identity)
        ) {
          // The file changed mode after we looked (another process rekeyed it): write it the way it is now.
          material = await this.#credentials.forMode(current.mode, current.identity);
          keys = await deriveVaultKeys(material.value, newSalt(), params);
        }
        const entries = structuredClone(current?.entries ?? []);
        const result = change(entries);
        const extra = current?.extra ?? {};
        const output = sealVaultPayload({ entries, extra }, keys, material);
        await writeFileAtomic(this.path, output, 0o600);
        this.#cache = {
          text: output,
          mode: material.mode,
          identity: material.machine?.identity,
          entries,
          extra,
        };
        await removeStaleTempFiles(this.path, this.#options.lock?.staleMs ?? 10_000, isProcessAlive);
        return result;
      },
      this.#options.lock,
    );
  }
}

/** Opens (lazily: nothing is read until the first call) the vault at `options.path` or the default path. */
export function openVault(options: VaultOptions = {}): Vault {
  return new Vault(options);
}
