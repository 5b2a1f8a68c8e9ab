import type { ErrorCategory, ProviderName } from './categories';
import { KeypoolError, PoolExhaustedError, ProviderError, StreamInterruptedError } from './errors';
import type { AttemptOutcome } from './key-pool';
import { maskSecret } from './secret';

/**
 * What `pool.client.apiKey` reads before any call has been served (afterwards: the masked form of the key that served
 * the last call). Never a secret.
 */
export const ROUTED_CLIENT_API_KEY = 'keypool:no-call-yet';

/**
 * Keypool's view of a failed `pool.client` call, attached to the SDK's own error as its `keypool` property. It never
 * holds a secret: keys are named by id and masked form.
 */
export interface KeypoolErrorView {
  provider: ProviderName;
  /** The category of the last failure (for a pool that ran out of keys: the last attempt's, if any). */
  category: ErrorCategory | undefined;
  /** The key of the last attempt. */
  keyId: string | undefined;
  masked: string | undefined;
  /** Every attempt of this call, in order. */
  attempts: readonly AttemptOutcome[];
  /** When the failing key (or, when exhausted, the pool) is expected to be usable again. */
  retryAfterMs: number | undefined;
  /** Set when no key of the pool could serve the call: why the pool gave up. */
  exhausted: PoolExhaustedError['reason'] | undefined;
  /** Keypool's own typed error for this failure (what `pool.chat` would have thrown). */
  error: KeypoolError;
}

/** An SDK error as `pool.client` throws it: the SDK's own class, with Keypool's view attached. */
export type WithKeypoolView<TError> = TError & { readonly keypool: KeypoolErrorView };

/**
 * How a provider turns Keypool's failures into its SDK's own errors, so that code written for the SDK (`instanceof`,
 * `status`, `headers`, `error`) keeps working through `pool.client`.
 */
export interface ClientErrorFactory {
  /** True for an error the SDK itself throws (one of its own error classes). */
  isSdkError(error: unknown): error is Error;
  /** The SDK's error for a call the caller aborted. */
  abortError(): Error;
  /** The SDK's error for a call that ran out of time. */
  timeoutError(): Error;
  /**
   * The SDK's error for a failure with no SDK error behind it (no key usable from the start, an empty or stalled
   * stream). `status` is 429 for a pool that ran out of keys, else undefined (a connection-level failure).
   */
  otherError(message: string, status: number | undefined): Error;
}

/**
 * Turns what the engine threw for a `pool.client` call into what the SDK would have thrown: the upstream SDK error
 * (for a pool that ran out of keys, the last one) with a `keypool` property, or the SDK's own abort or timeout
 * error. Anything that is not a Keypool error passes through unchanged.
 */
export function toClientError(
  error: unknown,
  attempts: readonly AttemptOutcome[],
  factory: ClientErrorFactory,
): unknown {
  if (!KeypoolError.isInstance(error)) return error;
  if (PoolExhaustedError.isInstance(error)) {
    const last = error.lastError;
    const base = last
      ? sdkErrorOf(last, factory)
      : factory.otherError(error.message, error.keys.length > 0 ? 429 : undefined);
    return attachView(base, {
      provider: error.provider,
      category: last?.category,
      keyId: last?.keyId,
      masked: maskedOf(last?.keyId, attempts),
      attempts,
      retryAfterMs: error.retryAfterMs,
      exhausted: error.reason,
      error,
    });
  }
  if (ProviderError.isInstance(error)) {
    return attachView(sdkErrorOf(error, factory), {
      provider: error.provider,
      category: error.category,
      keyId: error.keyId,
      masked: maskedOf(error.keyId, attempts),
      attempts,
      retryAfterMs: error.retryAfterMs,
      exhausted: undefined,
      error,
    });
  }
  return error;
}

function sdkErrorOf(error: ProviderError, factory: ClientErrorFactory): Error {
  const cause = error.cause;
  // The caller's abort and a timeout become the SDK's own errors even when the engine noticed them first.
  if (error.category === 'aborted') return factory.isSdkError(cause) ? cause : factory.abortError();
  if (error.category === 'timeout') return factory.isSdkError(cause) ? cause : factory.timeoutError();
  if (factory.isSdkError(cause)) return cause;
  // A stream that broke after its first chunk: whatever the SDK's iteration threw is what the raw SDK throws too
  // (e.g. Mistral's raw ZodError for a malformed chunk). A stream that merely ended without its terminator has no
  // such error: it gets `otherError` below.
  if (StreamInterruptedError.isInstance(error) && error.interruptedBy !== 'stream_interrupted') {
    const raw = ProviderError.isInstance(cause) ? cause.cause : cause;
    if (raw instanceof Error && !KeypoolError.isInstance(raw)) return raw;
  }
  if (ProviderError.isInstance(cause)) return sdkErrorOf(cause, factory);
  return factory.otherError(error.message, error.status);
}

function maskedOf(keyId: string | undefined, attempts: readonly AttemptOutcome[]): string | undefined {
  if (keyId === undefined) return undefined;
  for (let index = attempts.length - 1; index >= 0; index--) {
    if (attempts[index]?.keyId === keyId) return attempts[index]?.masked;
  }
  return undefined;
}

function attachView(error: Error, view: KeypoolErrorView): Error {
  Object.defineProperty(error, 'keypool', {
    value: view,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return error;
}

/**
 * Scrubs every given secret from an SDK error in place (its message, its `headers`, string fields of its `error` /
 * `body`, and its cause chain), replacing each with its masked form. Returns the same error.
 */
export function scrubSdkError<T>(error: T, secrets: readonly string[]): T {
  const live = secrets.filter((secret) => secret.length > 0);
  if (live.length === 0) return error;
  const seen = new Set<unknown>();
  const scrubText = (text: string): string => {
    let result = text;
    for (const secret of live)
      if (result.includes(secret)) result = result.split(secret).join(maskSecret(secret));
    return result;
  };
  const visit = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return scrubText(value);
    if (depth > 6 || typeof value !== 'object' || value === null || seen.has(value)) return value;
    seen.add(value);
    if (typeof Headers !== 'undefined' && value instanceof Headers) {
      for (const [name, header] of [...value.entries()]) {
        const clean = scrubText(header);
        if (clean !== header) value.set(name, clean);
      }
      return value;
    }
    if (value instanceof Error) {
      const clean = scrubText(value.message);
      if (clean !== value.message) setField(value, 'message', clean);
      if (typeof value.stack === 'string') setField(value, 'stack', scrubText(value.stack));
    }
    for (const field of ['headers', 'error', 'body', 'cause', 'details', 'rawResponse'] as const) {
      if (!(field in value)) continue;
      const current = (value as Record<string, unknown>)[field];
      if (field === 'rawResponse') continue; // a Response's body is already scrubbed by the provider's fetch
      const clean = visit(current, depth + 1);
      if (clean !== current) setField(value, field, clean);
    }
    if (!(value instanceof Error)) {
      for (const [field, current] of Object.entries(value)) {
        if (typeof current === 'string') {
          const clean = scrubText(current);
          if (clean !== current) setField(value, field, clean);
        } else if (typeof current === 'object' && current !== null) visit(current, depth + 1);
      }
    }
    return value;
  };
  visit(error, 0);
  return error;
}

function setField(target: object, field: string, value: unknown): void {
  try {
    Reflect.set(target, field, value);
    if ((target as Record<string, unknown>)[field] !== value) {
      Object.defineProperty(target, field, { value, configurable: true, writable: true });
    }
  } catch {
    // A frozen field stays as it is.
  }
}
