import type { FinishReason } from '@keypool/core';

/**
 * Maps Anthropic's `stop_reason` to the unified finish reason: `end_turn`/`stop_sequence` -> stop,
 * `max_tokens`/`model_context_window_exceeded` -> length, `tool_use` -> tool_calls, `refusal` -> content_filter,
 * anything else (`pause_turn`, null, a new value) -> other.
 */
export function mapAnthropicFinishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}
