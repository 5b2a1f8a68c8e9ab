const BRAND = Symbol.for('keypool.gemini.content-blocked');

/** A safety rating as Gemini reports it on a prompt or a candidate. */
export interface GeminiSafetyRating {
  category?: string;
  probability?: string;
  blocked?: boolean;
}

/**
 * Gemini answered 200 but blocked the answer: the prompt (`promptFeedback.blockReason`) or the response (a candidate
 * with `finishReason` `SAFETY`, `PROHIBITED_CONTENT`, ...) and no text came back. The unified chat throws it so the
 * block is never mistaken for an empty answer; `classifyGeminiError` maps it to `content_filter` with `filterReason`.
 */
export class GeminiContentBlockedError extends Error {
  /** Whether the prompt or the generated response was blocked. */
  readonly blocked: 'prompt' | 'response';
  /** Gemini's reason: a `BlockedReason` for prompts, a `FinishReason` for responses. */
  readonly reason: string;
  /** The ratings that explain the block (those marked blocked, or rated MEDIUM/HIGH). */
  readonly safetyRatings: readonly GeminiSafetyRating[];
  /** A readable reason for the caller, e.g. `prompt blocked: SAFETY (HARM_CATEGORY_DANGEROUS_CONTENT: HIGH)`. */
  readonly filterReason: string;

  constructor(blocked: 'prompt' | 'response', reason: string, ratings: readonly GeminiSafetyRating[] = []) {
    const flagged = ratings.filter(
      (rating) => rating.blocked === true || rating.probability === 'HIGH' || rating.probability === 'MEDIUM',
    );
    const detail = flagged.map(
      (rating) => `${rating.category ?? 'UNKNOWN'}: ${rating.probability ?? 'blocked'}`,
    );
    const filterReason = `${blocked} blocked: ${reason}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}`;
    super(`Gemini ${filterReason}`);
    this.name = 'GeminiContentBlockedError';
    this.blocked = blocked;
    this.reason = reason;
    this.safetyRatings = flagged;
    this.filterReason = filterReason;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a GeminiContentBlockedError from any copy of this package. */
  static isInstance(error: unknown): error is GeminiContentBlockedError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  }
}
