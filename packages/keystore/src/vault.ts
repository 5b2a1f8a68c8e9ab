import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createSecretScrubber, fingerprintSecret, headerUnsafe, type TextScrubber } from '@keypool/core';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-write';
import { type FileLockOptions, isProcessAlive, withFileLock } from './file-lock';
import { formatIssuePath } from './format-issue-path';
import { emptyProviderKeys, type KeyConfig, type ProviderKeys } from './key-config';
import { readMachineIdentity } from './machine-identity';
import { protectSecret } from './protect-secret';
import { isProviderId, PROVIDER_IDS, type ProviderId } from './provider-id';
import { asVaultAccessError } from './vault-access-error';
import {
  DEFAULT_SCRYPT_PARAMS,
  decryptVault,
  deriveVaultKeys,
  encryptVault,
  newSalt,
  type ScryptParams,
  scryptParamsProblem,
  type VaultKeys,
  vaultKeysMatch,
} from './vault-cipher';
import { VaultCorruptError } from './vault-corrupt-error';
import {
  type VaultEntry,
  type VaultEntryInfo,
  type VaultEntryInput,
  vaultEntryInfo,
  vaultPayloadSchema,
} from './vault-entry';
import { VaultEntryError } from './vault-entry-error';
import {
  MACHINE_MODE_NOTICE,
  type MachineIdentitySource,
  type VaultFile,
  type VaultMode,
  vaultFileSchema,
} from './vault-file-format';
import { VaultModeError } from './vault-mode-error';
import { VaultPassphraseError } from './vault-passphrase-error';

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

interface KeyMaterial {
  mode: VaultMode;
  value: string;
  machine?: { identity: MachineIdentitySource };
}

interface DecryptedVault {
  text: string;
  mode: VaultMode;
  identity: MachineIdentitySource | undefined;
  entries: VaultEntry[];
  /** Top-level payload fields other than `entries` (from newer versions), kept on rewrite. */
  extra: Record<string, unknown>;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const ID_PATTERN = /^\S{1,200}$/;

/** The vault file used when no path is given: `$KEYPOOL_VAULT`, else `~/.keypool/vault.json`. */
export function defaultVaultPath(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.KEYPOOL_VAULT?.trim();
  return fromEnv ? fromEnv : join(homedir(), '.keypool', 'vault.json');
}

/** A scrubber that masks every secret of the vault (and anything key-like) in a text. */
function scrubberOf(entries: readonly VaultEntry[]): TextScrubber {
  return createSecretScrubber(entries.map((entry) => entry.secret));
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asVaultAccessError(path, 'read', error);
  }
}

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

/** Sort order of `keys()`: primary first; `sort` is stable, so the rest keep the order they were added in. */
function primaryFirst(a: VaultEntry, b: VaultEntry): number {
  return Number(b.primary === true) - Number(a.primary === true);
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
  #writeParams: ScryptParams;
  #requiredMode: VaultMode | undefined;
  #passphrase: string | undefined;
  #cache: DecryptedVault | undefined;

  constructor(options: VaultOptions = {}) {
    this.#options = options;
    this.path = options.path ?? defaultVaultPath(options.env);
    this.#writeParams = { ...DEFAULT_SCRYPT_PARAMS, ...options.scrypt };
    this.#requiredMode = options.mode;
    const problem = scryptParamsProblem(this.#writeParams);
    if (problem) throw new RangeError(`invalid scrypt parameters: ${problem}`);
  }

  /** The file's header (mode, format version, scrypt cost) without decrypting; `exists: false` when there is none. */
  async status(): Promise<VaultStatus> {
    const text = await readIfExists(this.path);
    if (text === undefined) return { path: this.path, exists: false };
    const file = this.#parseFile(text);
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
    return vaultEntryInfo(this.#find(entries, provider, id), scrubberOf(entries));
  }

  /**
   * The secret of one entry (disabled or not). Without a provider the id must be unique across providers.
   *
   * @throws {VaultEntryError} `vault_entry_not_found` or `vault_entry_ambiguous`.
   */
  async getSecret(provider: ProviderId | undefined, id: string): Promise<string> {
    return this.#find(await this.#read(), provider, id).secret;
  }

  /** The enabled entries as key configs per provider, each provider's primary key first. */
  async keys(): Promise<ProviderKeys> {
    const result = emptyProviderKeys();
    const entries = (await this.#read()).filter((entry) => !entry.disabled);
    for (const provider of PROVIDER_IDS) {
      for (const entry of entries.filter((item) => item.provider === provider).sort(primaryFirst)) {
        const config: KeyConfig = { id: entry.id, secret: entry.secret };
        if (entry.weight !== undefined) config.weight = entry.weight;
        if (entry.limits !== undefined) config.limits = { ...entry.limits };
        if (entry.tags !== undefined) config.tags = [...entry.tags];
        if (entry.quotaGroup !== undefined) config.quotaGroup = entry.quotaGroup;
        result[provider].push(protectSecret(config, 'key'));
      }
    }
    return result;
  }

  /**
   * Stores a new key. The id defaults to `<provider>-<first 8 hex of the fingerprint>`. `primary: true` makes it the
   * provider's only primary key.
   *
   * @throws {VaultEntryError} `vault_entry_invalid`, `vault_entry_exists` (id taken in this provider) or
   *   `vault_duplicate_secret` (the same secret is already stored for this provider).
   */
  async add(input: VaultEntryInput): Promise<VaultEntryInfo> {
    const provider = input.provider;
    const secret = typeof input.secret === 'string' ? input.secret.trim() : '';
    const id =
      input.id?.trim() || `${provider}-${secret === '' ? '' : fingerprintSecret(secret).slice(0, 8)}`;
    if (!isProviderId(provider)) {
      throw new VaultEntryError(
        'vault_entry_invalid',
        undefined,
        id,
        `unknown provider; use one of ${PROVIDER_IDS.join(', ')}`,
      );
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
      const entry = this.#find(entries, provider, id);
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
      const entry = this.#find(entries, provider, id);
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
      const entry = this.#find(entries, provider, id);
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
      const entry = this.#find(entries, provider, id);
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
      mode === 'passphrase' ? { mode, value: options.passphrase! } : await this.#machineMaterial(undefined);
    await this.#mutate(() => undefined, { material, params, requireMode: false });
    if (mode === 'passphrase') this.#passphrase = options.passphrase;
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

  #find(entries: VaultEntry[], provider: ProviderId | undefined, id: string): VaultEntry {
    const matches = entries.filter(
      (entry) => entry.id === id && (provider === undefined || entry.provider === provider),
    );
    if (matches.length === 1) return matches[0]!;
    const name = provider === undefined ? `key "${id}"` : `${provider} key "${id}"`;
    if (matches.length === 0)
      throw new VaultEntryError(
        'vault_entry_not_found',
        provider,
        id,
        `no ${name} in the vault ${this.path}`,
      );
    throw new VaultEntryError(
      'vault_entry_ambiguous',
      provider,
      id,
      `${name} exists for ${matches.map((entry) => entry.provider).join(' and ')}; name the provider (vault:provider/id)`,
    );
  }

  #parseFile(text: string): VaultFile {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new VaultCorruptError(
        this.path,
        text.trim() === '' ? 'the file is empty' : 'not valid JSON (truncated?)',
      );
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new VaultCorruptError(this.path, 'not a vault file');
    }
    const version = (json as { version?: unknown }).version;
    if (version !== 1) {
      throw new VaultCorruptError(
        this.path,
        typeof version === 'number'
          ? `format version ${version} is not supported (this version of @keypool/keystore reads version 1)`
          : 'no format version',
      );
    }
    const parsed = vaultFileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new VaultCorruptError(this.path, `${formatIssuePath(issue.path)} is missing or invalid`);
    }
    const problem = scryptParamsProblem(parsed.data.kdf);
    if (problem) throw new VaultCorruptError(this.path, `unacceptable scrypt parameters: ${problem}`);
    if (Buffer.from(parsed.data.kdf.salt, 'base64').length < 16) {
      throw new VaultCorruptError(this.path, 'the salt is shorter than 16 bytes');
    }
    return parsed.data;
  }

  async #fileMode(): Promise<VaultMode | undefined> {
    const text = await readIfExists(this.path);
    return text === undefined ? undefined : this.#parseFile(text).mode;
  }

  async #passphraseMaterial(): Promise<KeyMaterial> {
    if (this.#passphrase === undefined) {
      const given = this.#options.passphrase;
      const value =
        typeof given === 'function'
          ? await given()
          : (given ?? (this.#options.env ?? process.env).KEYPOOL_PASSPHRASE);
      if (typeof value !== 'string' || value === '') {
        throw new VaultPassphraseError(
          'vault_passphrase_missing',
          this.path,
          `the vault ${this.path} needs a passphrase: pass one, or set KEYPOOL_PASSPHRASE`,
        );
      }
      this.#passphrase = value;
    }
    return { mode: 'passphrase', value: this.#passphrase };
  }

  async #machineMaterial(required: MachineIdentitySource | undefined): Promise<KeyMaterial> {
    const custom = this.#options.machineIdentity;
    if (custom)
      return { mode: 'machine', value: `custom:${await custom()}`, machine: { identity: 'custom' } };
    if (required === 'custom') {
      throw new VaultPassphraseError(
        'vault_passphrase_wrong',
        this.path,
        `the vault ${this.path} is bound to a custom machine identity; pass the same machineIdentity option`,
      );
    }
    const identity = await readMachineIdentity(required);
    if (!identity) {
      throw new VaultPassphraseError(
        'vault_passphrase_wrong',
        this.path,
        `the vault ${this.path} is bound to a machine id, and this machine has none: it was made on another machine`,
      );
    }
    return { mode: 'machine', value: identity.value, machine: { identity: identity.source } };
  }

  /** The key material for the next write: the file's mode (or the required one, or passphrase for a new file). */
  async #materialForWrite(): Promise<KeyMaterial> {
    const text = await readIfExists(this.path);
    const header = text === undefined ? undefined : this.#parseFile(text);
    if (header && this.#requiredMode !== undefined && header.mode !== this.#requiredMode) {
      throw new VaultModeError(this.path, this.#requiredMode, header.mode);
    }
    return this.#material(this.#requiredMode ?? header?.mode ?? 'passphrase', header?.machine?.identity);
  }

  #material(mode: VaultMode, identity: MachineIdentitySource | undefined): Promise<KeyMaterial> {
    return mode === 'passphrase' ? this.#passphraseMaterial() : this.#machineMaterial(identity);
  }

  async #decrypt(text: string): Promise<DecryptedVault> {
    if (this.#cache?.text === text) return this.#cache;
    const file = this.#parseFile(text);
    const required = this.#requiredMode;
    if (required !== undefined && required !== file.mode)
      throw new VaultModeError(this.path, required, file.mode);
    const material = await this.#material(file.mode, file.machine?.identity);
    const keys = await deriveVaultKeys(material.value, Buffer.from(file.kdf.salt, 'base64'), file.kdf);
    if (!vaultKeysMatch(file, keys)) {
      if (file.mode === 'passphrase') {
        this.#passphrase = undefined; // ask again next time
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
    const result = decryptVault(file, keys);
    if (!result.ok) throw new VaultCorruptError(this.path, result.reason);
    let payload: unknown;
    try {
      payload = JSON.parse(result.plaintext.toString('utf8'));
    } catch {
      throw new VaultCorruptError(this.path, 'the decrypted contents are not JSON');
    }
    const parsed = vaultPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new VaultCorruptError(
        this.path,
        `the decrypted contents are invalid at ${formatIssuePath(issue.path)}`,
      );
    }
    const { entries, ...extra } = parsed.data;
    const decrypted: DecryptedVault = {
      text,
      mode: file.mode,
      identity: file.machine?.identity,
      entries: entries as VaultEntry[],
      extra,
    };
    this.#cache = decrypted;
    return decrypted;
  }

  async #read(): Promise<VaultEntry[]> {
    const text = await readIfExists(this.path);
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
    target?: { material: KeyMaterial; params: ScryptParams; requireMode: false },
  ): Promise<T> {
    try {
      return await this.#mutateUnderLock(change, target);
    } catch (error) {
      throw asVaultAccessError(this.path, 'write', error);
    }
  }

  async #mutateUnderLock<T>(
    change: (entries: VaultEntry[]) => T,
    target?: { material: KeyMaterial; params: ScryptParams; requireMode: false },
  ): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const params = target?.params ?? this.#writeParams;
    let material: KeyMaterial = target?.material ?? (await this.#materialForWrite());
    let keys: VaultKeys = await deriveVaultKeys(material.value, newSalt(), params);

    return withFileLock(
      `${this.path}.lock`,
      async () => {
        const text = await readIfExists(this.path);
        const current = text === undefined ? undefined : await this.#decrypt(text);
        if (
          !target &&
          current &&
          (current.mode !== material.mode || current.identity !== material.machine?.identity)
        ) {
          // The file changed mode after we looked (another process rekeyed it): write it the way it is now.
          material = await this.#material(current.mode, current.identity);
          keys = await deriveVaultKeys(material.value, newSalt(), params);
        }
        const entries = structuredClone(current?.entries ?? []);
        const result = change(entries);
        const extra = current?.extra ?? {};
        const plaintext = Buffer.from(JSON.stringify({ ...extra, entries }), 'utf8');
        const file = encryptVault(plaintext, keys, {
          mode: material.mode,
          ...(material.machine ? { machine: material.machine } : {}),
        });
        const output = `${JSON.stringify(material.mode === 'machine' ? { ...file, notice: MACHINE_MODE_NOTICE } : file, null, 2)}\n`;
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
