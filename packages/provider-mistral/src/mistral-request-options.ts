import type { RequestOptions } from '@mistralai/mistralai/lib/sdks.js';
import { RequestTimeoutError } from '@mistralai/mistralai/models/errors';

/** The per-request options of every Mistral SDK method (the SDK's `RequestOptions`, its second argument). */
export type MistralRequestOptions = RequestOptions;

/**
 * A method's request options for one attempt: the attempt's signal merged with the caller's (`signal` or the
 * deprecated `fetchOptions.signal`) and with the timeout (the call's `timeoutMs`, else the client's), and the SDK's
 * per-call retries removed (the engine is the only retry owner).
 *
 * The SDK ignores `timeoutMs` whenever a signal is given, so the timeout becomes a signal here.
 */
export function withAttemptSignal(
  options: unknown,
  signal: AbortSignal,
  clientTimeoutMs?: number,
): MistralRequestOptions {
  if (options === undefined || options === null || typeof options !== 'object') {
    return clientTimeoutMs && clientTimeoutMs > 0
      ? { signal: AbortSignal.any([signal, AbortSignal.timeout(clientTimeoutMs)]) }
      : { signal };
  }
  const { retries: _retries, retryCodes: _retryCodes, ...rest } = options as MistralRequestOptions;
  const signals: AbortSignal[] = [signal];
  if (rest.signal && rest.signal !== signal) signals.push(rest.signal);
  const legacy = rest.fetchOptions?.signal;
  if (legacy && legacy !== signal && legacy !== rest.signal) signals.push(legacy);
  const timeoutMs = rest.timeoutMs ?? clientTimeoutMs;
  if (timeoutMs && timeoutMs > 0) signals.push(AbortSignal.timeout(timeoutMs));
  rest.signal = signals.length === 1 ? signal : AbortSignal.any(signals);
  return rest;
}

/**
 * Request options for a call without a caller signal: SDK retries dropped, and `timeoutMs` set to the attempt's time
 * limit (or the caller's or client's own timeout when shorter). The SDK honours `timeoutMs` only when no signal is
 * passed, which is the case here.
 */
export function withAttemptTimeout(
  options: unknown,
  attemptMs: number,
  clientTimeoutMs?: number,
): MistralRequestOptions {
  const {
    retries: _retries,
    retryCodes: _retryCodes,
    ...rest
  } = options !== null && typeof options === 'object'
    ? (options as MistralRequestOptions)
    : ({} as MistralRequestOptions);
  const own = rest.timeoutMs ?? clientTimeoutMs;
  rest.timeoutMs = own && own > 0 ? Math.min(own, attemptMs) : attemptMs;
  return rest;
}

/**
 * `call`, failing with the SDK's `RequestTimeoutError` after `timeoutMs` (when set) on a timer of our own. The SDK's
 * timeout rides on `new Request(url, { signal })` and a clone of it, which Undici follows through weakly held
 * controllers: garbage collection during the wait can lose it, and the call then never ends.
 */
export function enforceTimeout<T>(call: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined || !(timeoutMs > 0)) return call;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RequestTimeoutError('Request timed out', {
            cause: new DOMException('The operation timed out.', 'TimeoutError'),
          }),
        ),
      timeoutMs,
    );
  });
  return Promise.race([call, expired]).finally(() => clearTimeout(timer));
}
