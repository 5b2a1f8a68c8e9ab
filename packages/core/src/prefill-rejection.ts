import { ProviderError } from './errors';

/**
 * How providers word a refused trailing assistant message: Anthropic ("This model does not support assistant message
 * prefill. The conversation must end with a user message." and "final assistant content cannot end with trailing
 * whitespace"), Mistral ("Expected last role User or Tool (or Assistant with prefix True) ... but got assistant").
 */
const PREFILL_REJECTION =
  /assistant message prefill|must end with a user message|final assistant content|expected last role|prefix true/i;

/**
 * True when `error` is a provider's refusal of an assistant prefill (a 400 / invalid request whose message says so).
 * Only meaningful for a request that sent a prefill: the caller of a continuation never sees this error, the answer
 * restarts instead.
 */
export function isPrefillRejection(error: unknown): boolean {
  if (ProviderError.isInstance(error)) {
    if (error.category !== 'invalid_request' && error.status !== 400 && error.status !== 422) return false;
    return PREFILL_REJECTION.test(error.message);
  }
  return error instanceof Error && PREFILL_REJECTION.test(error.message);
}
