/** What every secret event carries. */
export interface SecretEventBase {
  /** When it happened (epoch ms). */
  at: number;
  /** The store's kind (`vault`, `aws-secrets-manager`, ...). */
  store: string;
  /** The secret reference (`name` or `name#field`); a name, never a value. */
  ref: string;
}

/** The events of a secret watcher, by name. No event carries a secret: keys appear by id and masked form. */
export interface SecretEvents {
  /** A secret changed in the store and its key now uses the new value. */
  'secret.rotated': SecretEventBase & {
    keyId: string;
    masked: string;
    previousMasked: string;
    version: string | undefined;
  };
  /** The store could not be read; the keys keep their last good secret. */
  'secret.refresh_failed': SecretEventBase & {
    keyIds: string[];
    reason: string;
    message: string;
    /** Failed refreshes in a row. */
    failures: number;
    /** How old the value in use is (ms since it was last read). */
    staleForMs: number;
  };
  /** The store answers again after failing. */
  'secret.recovered': SecretEventBase & { keyIds: string[]; failures: number };
  /** The store gave a value the pool refused (empty, not a header-safe secret, a missing field); the old one stays. */
  'secret.rejected': SecretEventBase & { keyId: string; message: string };
}
