import type { FinishReason } from '@keypool/core';

/** Maps an OpenAI `finish_reason` to the unified vocabulary (`stop`, `length`, `content_filter`, `tool_calls`, `other`). */
export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}
