import type { FinishReason } from '@keypool/core';

/**
 * Maps Gemini's `finishReason` to the unified vocabulary. Every safety-like stop (`SAFETY`, `RECITATION`, `BLOCKLIST`,
 * `PROHIBITED_CONTENT`, `SPII`, the image ones) is `content_filter`; `MAX_TOKENS` is `length`.
 */
export function mapGeminiFinishReason(reason: string | undefined): FinishReason {
  switch (reason) {
    case 'STOP':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** True when a finish reason means the answer was withheld by a filter (safety, recitation, blocklist...). */
export function isGeminiFilterFinish(reason: string | undefined): boolean {
  return mapGeminiFinishReason(reason) === 'content_filter';
}
