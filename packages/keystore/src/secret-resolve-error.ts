import { maskKeyLike } from '@keypool/core';
import { hasKeystoreErrorMarker, KeystoreError } from './keystore-error';
import type { ProviderId } from './provider-id';

/** One secret reference that could not be resolved: which key, which reference, and why (never the secret). */
export interface SecretResolveFailure {
  /** The full reference, e.g. `env:OPENAI_PROD_KEY` or `vault:openai/main`. */
  ref: string;
  provider?: ProviderId;
  keyId?: string;
  reason: string;
}

function describe(failure: SecretResolveFailure): string {
  const key =
    failure.keyId === undefined
      ? ''
      : `${failure.provider === undefined ? '' : `${failure.provider} `}key "${failure.keyId}" `;
  return `${key}(${failure.ref}): ${failure.reason}`;
}

function masked(failure: SecretResolveFailure): SecretResolveFailure {
  return {
    ...failure,
    ref: maskKeyLike(failure.ref),
    reason: maskKeyLike(failure.reason),
    ...(failure.keyId === undefined ? {} : { keyId: maskKeyLike(failure.keyId) }),
  };
}

/** Thrown when a secret reference (`env:NAME`, `vault:id`, ...) cannot be turned into a secret. */
export class SecretResolveError extends KeystoreError {
  readonly failures: SecretResolveFailure[];

  /** Each failure's reference, id and reason are masked: a secret pasted where a reference goes stays out of it. */
  constructor(failures: SecretResolveFailure[], options?: { cause?: unknown }) {
    failures = failures.map(masked);
    const lines = failures.map(describe);
    super(
      'secret_unresolved',
      lines.length === 1
        ? `cannot resolve secret ${lines[0]}`
        : `cannot resolve ${lines.length} secrets:\n${lines.join('\n')}`,
      options,
    );
    this.brand('SecretResolveError');
    this.failures = failures;
  }

  /** Whether a value is a `SecretResolveError` from any copy of this package. */
  static override isInstance(value: unknown): value is SecretResolveError {
    return hasKeystoreErrorMarker(value, 'SecretResolveError');
  }

  protected override details(): Record<string, unknown> {
    return { failures: this.failures };
  }
}
