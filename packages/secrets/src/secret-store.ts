/** One read of a secret: its text and, when the store has one, the version it came from. */
export interface SecretValue {
  /** The secret's text (for a JSON secret, the whole JSON document). */
  readonly value: string;
  /** The store's version id, when it reports one (Vault's version, AWS VersionId, Azure and Google versions). */
  readonly version?: string | undefined;
}

/**
 * A place secrets are read from: HashiCorp Vault, AWS Secrets Manager, Azure Key Vault, Google Secret Manager, or
 * your own. `read` takes the store's own name for a secret (a path, an id, a name) and must throw a
 * `SecretStoreError` whose message never holds a secret when it cannot give one.
 */
export interface SecretStore {
  /** The store's kind, named in events and errors (`vault`, `aws-secrets-manager`, ...). */
  readonly kind: string;
  /** Reads the current value of one secret. */
  read(name: string, signal?: AbortSignal): Promise<SecretValue>;
}
