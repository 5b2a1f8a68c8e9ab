import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';

/** One problem in a keys file: where it is (`providers.openai.keys[2].rpm`) and what is wrong. */
export interface KeysFileIssue {
  /** The path inside the file, e.g. `providers.openai.keys[2].rpm`; `(root)` for the whole document. */
  path: string;
  message: string;
  /** 1-based position, when the problem is a syntax error. */
  line?: number;
  column?: number;
}

/**
 * Thrown when a keys file cannot be read, parsed or validated. Every line of the message names the file, the
 * path in it and the problem: `keypool.json: providers.openai.keys[2].rpm: must be a non-negative number`.
 */
export class KeysFileError extends KeystoreError {
  readonly file: string;
  readonly issues: KeysFileIssue[];

  constructor(
    code: 'keys_file_unreadable' | 'keys_file_invalid',
    file: string,
    issues: KeysFileIssue[],
    options?: { cause?: unknown },
  ) {
    const lines = issues.map((issue) => `${file}: ${issue.path}: ${issue.message}`);
    super(
      code,
      lines.length === 1 ? lines[0]! : `${file}: ${lines.length} problems\n${lines.join('\n')}`,
      options,
    );
    this.brand('KeysFileError');
    this.file = file;
    this.issues = issues;
  }

  /** Whether a value is a `KeysFileError` from any copy of this package. */
  static override isInstance(value: unknown): value is KeysFileError {
    return hasKeystoreErrorMarker(value, 'KeysFileError');
  }

  protected override details(): Record<string, unknown> {
    return { file: this.file, issues: this.issues };
  }
}
