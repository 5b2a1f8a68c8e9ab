import type { FinishReason } from '@keypool/core';

/**
 * Maps Mistral's `finish_reason` (`stop`, `length`, `model_length`, `tool_calls`, `error`) to the unified
 * vocabulary. Unknown values become `other`.
 */
export function mapMistralFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
    case 'model_length':
      return 'length';
    case 'tool_calls':
      return 'tool_calls';
    default:
      return 'other';
  }
}
