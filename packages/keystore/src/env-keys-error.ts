import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';

/** One rejected environment variable: its name and what is wrong (never its value). */
export interface EnvKeyIssue {
  variable: string;
  message: string;
}

/**
 * Thrown by `keysFromEnv` when a key variable is set but empty or a list has an empty item (code `env_empty_value`),
 * or a value cannot be sent in an HTTP header (a line break, a control character, whitespace inside it) or
 * `KEYPOOL_STRATEGY` is unknown (code `env_invalid_value`). Never holds a value.
 */
export class EnvKeysError extends KeystoreError {
  readonly issues: EnvKeyIssue[];

  constructor(issues: EnvKeyIssue[], code: 'env_empty_value' | 'env_invalid_value' = 'env_empty_value') {
    const lines = issues.map((issue) => `${issue.variable}: ${issue.message}`);
    super(code, lines.length === 1 ? lines[0]! : `${lines.length} problems:\n${lines.join('\n')}`);
    this.brand('EnvKeysError');
    this.issues = issues;
  }

  /** Whether a value is an `EnvKeysError` from any copy of this package. */
  static override isInstance(value: unknown): value is EnvKeysError {
    return hasKeystoreErrorMarker(value, 'EnvKeysError');
  }

  protected override details(): Record<string, unknown> {
    return { issues: this.issues };
  }
}
