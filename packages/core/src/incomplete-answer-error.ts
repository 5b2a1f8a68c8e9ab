import type { ProviderName } from './categories';

const BRAND = Symbol.for('keypool.incomplete-answer');

/**
 * A provider answered 200 but without a real answer: no candidate or choice, no content, or no finish reason. The
 * unified chat throws it instead of returning an empty or partial "success", and every provider's mapper classifies
 * it as `server` (retryable, and a fallback chain moves on).
 */
export class IncompleteAnswerError extends Error {
  /** Which provider sent the answer. */
  readonly provider: ProviderName;
  /** What was missing, e.g. `no candidates`, `no finish reason`. */
  readonly missing: string;

  constructor(provider: ProviderName, missing: string) {
    super(`${provider} answered 200 without a real answer: ${missing}`);
    this.name = 'IncompleteAnswerError';
    this.provider = provider;
    this.missing = missing;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for an IncompleteAnswerError from any copy of the package. */
  static isInstance(error: unknown): error is IncompleteAnswerError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  }
}
