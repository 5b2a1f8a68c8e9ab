import type { ProviderId } from './provider-id';

/** What a secret reference is being resolved for; sources may use it (the vault picks the provider from it). */
export interface SecretRefContext {
  provider?: ProviderId;
  keyId?: string;
  /**
   * Set when the secret is read again for a running pool (`createFromKeysFile`'s `refreshMs`): a source that caches
   * should throw when its store cannot be read instead of serving its last value, so the caller can report it (and
   * keep the last good secret itself).
   */
  refresh?: boolean;
}

/**
 * A place secrets come from, addressed by `scheme:reference` (`env:OPENAI_PROD_KEY`, `vault:openai/main`). Built-ins:
 * `envSource()` and `vaultSource()`; add HashiCorp Vault, AWS Secrets Manager, Azure Key Vault and the like by
 * implementing this. `resolve` receives the part after `scheme:` and must throw (with a message that never contains a
 * secret) when it cannot produce a non-empty secret.
 */
export interface SecretSource {
  readonly scheme: string;
  /** How often the secrets it gives should be read again, ms (its cache's time-to-live), when it says. */
  readonly refreshMs?: number;
  resolve(ref: string, context?: SecretRefContext): Promise<string>;
}

/** A reference split into its scheme and the source-specific rest. */
export interface ParsedSecretRef {
  scheme: string;
  reference: string;
}

/** Splits `scheme:reference`; `undefined` when the text is not a reference. */
export function parseSecretRef(ref: string): ParsedSecretRef | undefined {
  const match = /^([a-z][a-z0-9+.-]*):(\S+)$/.exec(ref);
  return match ? { scheme: match[1]!, reference: match[2]! } : undefined;
}
