import type { RequestOptions } from '@mistralai/mistralai/lib/sdks.js';

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
