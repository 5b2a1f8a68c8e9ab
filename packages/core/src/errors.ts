import type { ErrorCategory, ProviderName } from './categories';
import type { ClassifiedError } from './classified-error';
import type { KeySnapshot } from './key-snapshot';
import { maskKeyLike } from './mask-key-like';

const BRAND = Symbol.for('keypool.error');

/** The machine-readable kind of a Keypool error. */
export type KeypoolErrorCode =
  | 'provider_error'
  | 'pool_exhausted'
  | 'config_invalid'
  | 'stream_interrupted'
  | 'chain_exhausted'
  | 'store_error'
  | 'unsupported_feature'
  | 'lease_settled';

/**
 * The one base class of every error Keypool throws. It is branded with `Symbol.for('keypool.error')`, so
 * `KeypoolError.isInstance(e)` works even when two copies of the package are installed. Its message never holds a
 * secret, and `toJSON()` gives only safe fields.
 */
export class KeypoolError extends Error {
  /** What kind of error this is. */
  readonly code: KeypoolErrorCode;

  constructor(code: KeypoolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = 'KeypoolError';
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for any Keypool error, from any copy of the package. */
  static isInstance(error: unknown): error is KeypoolError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Safe fields only: no cause objects, no headers. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/**
 * A call failed with one of the shared categories. Carries the provider's hints (retry-after, reset time, request id)
 * and the original SDK error as `cause`, already scrubbed of secrets by the adapter.
 */
export class ProviderError extends KeypoolError {
  readonly category: ErrorCategory;
  readonly provider: ProviderName;
  /** The id of the key the failing attempt used (never its secret). */
  readonly keyId: string | undefined;
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly resetAt: number | undefined;
  readonly requestId: string | undefined;
  readonly quotaScope: ClassifiedError['quotaScope'];
  readonly modelNotFound: boolean;
  readonly filterReason: string | undefined;

  constructor(
    info: ClassifiedError & { provider: ProviderName; keyId?: string },
    options?: { cause?: unknown; code?: KeypoolErrorCode },
  ) {
    super(options?.code ?? 'provider_error', `${info.provider} ${info.category}: ${info.message}`, options);
    this.name = 'ProviderError';
    this.category = info.category;
    this.provider = info.provider;
    this.keyId = info.keyId;
    this.status = info.status;
    this.providerCode = info.code;
    this.retryAfterMs = info.retryAfterMs;
    this.resetAt = info.resetAt;
    this.requestId = info.requestId;
    this.quotaScope = info.quotaScope;
    this.modelNotFound = info.modelNotFound === true;
    this.filterReason = info.filterReason;
  }

  /** True for a ProviderError from any copy of the package. */
  static override isInstance(error: unknown): error is ProviderError {
    return KeypoolError.isInstance(error) && 'category' in error && 'provider' in error;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      category: this.category,
      provider: this.provider,
      keyId: this.keyId,
      status: this.status,
      providerCode: this.providerCode,
      retryAfterMs: this.retryAfterMs,
      resetAt: this.resetAt,
      requestId: this.requestId,
      quotaScope: this.quotaScope,
      modelNotFound: this.modelNotFound || undefined,
      filterReason: this.filterReason,
    };
  }
}

/**
 * A stream failed after its first chunk reached the caller. Never a truncated "success": the caller gets the text
 * that did arrive as `partialText`, and the underlying failure's category as `interruptedBy`.
 */
export class StreamInterruptedError extends ProviderError {
  readonly partialText: string;
  readonly interruptedBy: ErrorCategory;

  constructor(
    info: ClassifiedError & { provider: ProviderName; keyId?: string },
    partialText: string,
    options?: { cause?: unknown },
  ) {
    super({ ...info, category: 'stream_interrupted' }, { ...options, code: 'stream_interrupted' });
    this.name = 'StreamInterruptedError';
    this.partialText = partialText;
    this.interruptedBy = info.category;
  }

  /** True for a StreamInterruptedError from any copy of the package. */
  static override isInstance(error: unknown): error is StreamInterruptedError {
    return KeypoolError.isInstance(error) && error.code === 'stream_interrupted';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      interruptedBy: this.interruptedBy,
      partialTextLength: this.partialText.length,
    };
  }
}

/**
 * No key of the pool can serve the call now: every key is cooling, disabled or out of capacity, or the attempt budget
 * or deadline ran out. `retryAfterMs` says when the pool expects a key back (undefined when every key is disabled).
 */
export class PoolExhaustedError extends KeypoolError {
  readonly provider: ProviderName;
  readonly retryAfterMs: number | undefined;
  /** Each key's state at the moment of exhaustion (masked, no secrets). */
  readonly keys: readonly KeySnapshot[];
  /** The last failure seen during this call, if any. */
  readonly lastError: ProviderError | undefined;
  /** Every attempt's failure during this call, in order. */
  readonly errors: readonly ProviderError[];
  /** Why the pool gave up. */
  readonly reason: 'no_usable_key' | 'attempts_exhausted' | 'deadline';

  constructor(init: {
    provider: ProviderName;
    retryAfterMs: number | undefined;
    keys: readonly KeySnapshot[];
    errors: readonly ProviderError[];
    reason: PoolExhaustedError['reason'];
  }) {
    const wait =
      init.retryAfterMs === undefined ? 'no key is expected back' : `retry in ${init.retryAfterMs} ms`;
    const last = init.errors.at(-1);
    super(
      'pool_exhausted',
      `${init.provider} pool exhausted (${init.reason}): ${wait}${last ? `; last error: ${last.message}` : ''}`,
      last ? { cause: last } : undefined,
    );
    this.name = 'PoolExhaustedError';
    this.provider = init.provider;
    this.retryAfterMs = init.retryAfterMs;
    this.keys = init.keys;
    this.errors = init.errors;
    this.lastError = last;
    this.reason = init.reason;
  }

  /** True for a PoolExhaustedError from any copy of the package. */
  static override isInstance(error: unknown): error is PoolExhaustedError {
    return KeypoolError.isInstance(error) && error.code === 'pool_exhausted';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      provider: this.provider,
      reason: this.reason,
      retryAfterMs: this.retryAfterMs,
      keys: this.keys,
      errors: this.errors.map((error) => error.toJSON()),
    };
  }
}

/** One problem found in a configuration: where it is and what is wrong. */
export interface ConfigIssue {
  /** The path to the field, e.g. `keys[2].limits.rpm`. */
  path: string;
  message: string;
}

/** Bad configuration. The message names every field that is wrong; `issues` lists them. */
export class ConfigError extends KeypoolError {
  readonly issues: readonly ConfigIssue[];

  /**
   * `subject` names what was checked; `issues` say what is wrong where. Both may quote user input (an id, a field
   * name), so anything in them that looks like a key is masked (`maskKeyLike`): a secret pasted in the wrong place is
   * never echoed.
   */
  constructor(subject: string, issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    const masked = issues.map((issue) => ({
      path: maskKeyLike(issue.path),
      message: maskKeyLike(issue.message),
    }));
    super(
      'config_invalid',
      maskKeyLike(
        `Invalid ${subject}: ${masked.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ')}`,
      ),
      options,
    );
    this.name = 'ConfigError';
    this.issues = masked;
  }

  /** True for a ConfigError from any copy of the package. */
  static override isInstance(error: unknown): error is ConfigError {
    return KeypoolError.isInstance(error) && error.code === 'config_invalid';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}
