import { readMachineIdentity } from './machine-identity';
import type { MachineIdentitySource, VaultMode } from './vault-file-format';
import type { VaultOptions } from './vault-options';
import { VaultPassphraseError } from './vault-passphrase-error';

/** What a vault key is derived from: a passphrase, or (machine-bound mode) the machine's identity. */
export interface VaultKeyMaterial {
  mode: VaultMode;
  value: string;
  machine?: { identity: MachineIdentitySource };
}

/**
 * Where a vault gets its key material: the passphrase (given, asked for once through a function, or read from
 * `KEYPOOL_PASSPHRASE`, and remembered until it proves wrong) or the machine identity (custom or read from the
 * machine). Errors name the vault file and never contain the material.
 */
export class VaultCredentials {
  readonly #path: string;
  readonly #options: Pick<VaultOptions, 'passphrase' | 'env' | 'machineIdentity'>;
  #passphrase: string | undefined;

  constructor(path: string, options: Pick<VaultOptions, 'passphrase' | 'env' | 'machineIdentity'>) {
    this.#path = path;
    this.#options = options;
  }

  /** The material for a file of this mode (and, when machine-bound, this identity source). */
  forMode(mode: VaultMode, identity: MachineIdentitySource | undefined): Promise<VaultKeyMaterial> {
    return mode === 'passphrase' ? this.passphrase() : this.machine(identity);
  }

  /**
   * The passphrase material, asking for the passphrase the first time.
   *
   * @throws {VaultPassphraseError} `vault_passphrase_missing` when there is none.
   */
  async passphrase(): Promise<VaultKeyMaterial> {
    if (this.#passphrase === undefined) {
      const given = this.#options.passphrase;
      const value =
        typeof given === 'function'
          ? await given()
          : (given ?? (this.#options.env ?? process.env).KEYPOOL_PASSPHRASE);
      if (typeof value !== 'string' || value === '') {
        throw new VaultPassphraseError(
          'vault_passphrase_missing',
          this.#path,
          `the vault ${this.#path} needs a passphrase: pass one, or set KEYPOOL_PASSPHRASE`,
        );
      }
      this.#passphrase = value;
    }
    return { mode: 'passphrase', value: this.#passphrase };
  }

  /**
   * The machine-bound material: the custom identity when one was given, else the machine's own (from `required`
   * when the file names its source).
   *
   * @throws {VaultPassphraseError} `vault_passphrase_wrong` when this machine cannot give the identity the file needs.
   */
  async machine(required: MachineIdentitySource | undefined): Promise<VaultKeyMaterial> {
    const custom = this.#options.machineIdentity;
    if (custom)
      return { mode: 'machine', value: `custom:${await custom()}`, machine: { identity: 'custom' } };
    if (required === 'custom') {
      throw new VaultPassphraseError(
        'vault_passphrase_wrong',
        this.#path,
        `the vault ${this.#path} is bound to a custom machine identity; pass the same machineIdentity option`,
      );
    }
    const identity = await readMachineIdentity(required);
    if (!identity) {
      throw new VaultPassphraseError(
        'vault_passphrase_wrong',
        this.#path,
        `the vault ${this.#path} is bound to a machine id, and this machine has none: it was made on another machine`,
      );
    }
    return { mode: 'machine', value: identity.value, machine: { identity: identity.source } };
  }

  /** Uses this passphrase from now on (after a rekey). */
  rememberPassphrase(passphrase: string): void {
    this.#passphrase = passphrase;
  }

  /** Forgets a passphrase that proved wrong, so that it is asked for again next time. */
  forgetPassphrase(): void {
    this.#passphrase = undefined;
  }
}
