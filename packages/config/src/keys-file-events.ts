import type { KeystoreWarning, ProviderId } from '@keypool/keystore';

/** One change a reload made to a running pool. */
export interface KeyChange {
  provider: ProviderId;
  keyId: string;
  /** `added`, `removed`, `updated` (see `fields`), `enabled`, `disabled` (by the file or the vault), `primary`. */
  action: 'added' | 'removed' | 'updated' | 'enabled' | 'disabled' | 'primary';
  /** For `updated`: the fields that changed (`secret`, `weight`, `limits`, `models`, `priority`, ...). */
  fields?: string[];
}

/** The events of a keys-file keypool. */
export interface KeysFileEvents {
  /** A reload applied the file's keys to the running pools (`changes` may be empty). */
  'config.reloaded': {
    at: number;
    changes: KeyChange[];
    warnings: KeystoreWarning[];
    /** Parts of the file that changed but take effect only after a restart (pool options, chains, a new provider). */
    restartNeeded: string[];
  };
  /**
   * A reload failed (a syntax error, an invalid field, a secret that cannot be resolved, a provider left without
   * keys): the running pools keep the last good configuration. The message names the file and path, never a secret.
   */
  'config.error': { at: number; error: Error; message: string };
  /**
   * A key's secret source failed when read again (a store down, a secret gone): the key keeps its last good secret.
   * Names the key and its reference (`vault:keypool/openai#api_key`), never a secret.
   */
  'secret.refresh_failed': {
    at: number;
    provider: ProviderId;
    keyId: string;
    ref: string;
    /** Failed reads in a row. */
    failures: number;
    message: string;
  };
  /** A key's secret source works again after failing (`failures` reads in a row). */
  'secret.recovered': { at: number; provider: ProviderId; keyId: string; ref: string; failures: number };
}

/** The name of a keys-file keypool event. */
export type KeysFileEventName = keyof KeysFileEvents;
