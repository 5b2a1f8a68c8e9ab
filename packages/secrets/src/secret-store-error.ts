import { KeypoolError, maskKeyLike } from '@keypool/core';

/** Why a secret store could not give a secret. */
export type SecretStoreFailure = 'unreachable' | 'timeout' | 'denied' | 'not_found' | 'invalid' | 'server';

/**
 * A secret store could not give a secret: it is down or slow, refused the credentials, has no such secret, or gave
 * something that is not a usable secret. The message names the store and the secret's name, never its value.
 */
export class SecretStoreError extends KeypoolError {
  /** The store's kind (`vault`, `aws-secrets-manager`, ...). */
  readonly store: string;
  /** The name of the secret that was asked for. */
  readonly secretName: string;
  /** What went wrong. */
  readonly reason: SecretStoreFailure;
  /** The HTTP status the store answered with, if any. */
  readonly status: number | undefined;

  constructor(
    fields: { store: string; secretName: string; reason: SecretStoreFailure; status?: number | undefined },
    message: string,
    options?: { cause?: unknown },
  ) {
    super('store_error', maskKeyLike(`${fields.store}: secret "${fields.secretName}": ${message}`), options);
    this.name = 'SecretStoreError';
    this.store = fields.store;
    this.secretName = fields.secretName;
    this.reason = fields.reason;
    this.status = fields.status;
  }

  /** Safe fields only. */
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      store: this.store,
      secretName: this.secretName,
      reason: this.reason,
      status: this.status,
    };
  }
}

/** The failure an HTTP status from a secret store means. */
export function failureOfStatus(status: number): SecretStoreFailure {
  if (status === 401 || status === 403) return 'denied';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server';
  return 'invalid';
}

/** Wraps whatever a store's client threw as a `SecretStoreError` (the cause is not kept: it may hold request data). */
export function toSecretStoreError(
  error: unknown,
  store: string,
  secretName: string,
  status?: number,
): SecretStoreError {
  if (error instanceof SecretStoreError) return error;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const aborted = error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
  const reason: SecretStoreFailure = aborted
    ? 'timeout'
    : status !== undefined
      ? failureOfStatus(status)
      : 'unreachable';
  return new SecretStoreError({ store, secretName, reason, status }, text.slice(0, 300));
}
