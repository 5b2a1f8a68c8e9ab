import type Anthropic from '@anthropic-ai/sdk';
import type { ChatRequest } from '@keypool/core';

/**
 * The assistant prefill of a continued answer as Anthropic takes it: a trailing `assistant` message that the model
 * continues (no trailing whitespace: the API refuses it). Empty when the request continues nothing. Claude 4.6 and
 * later refuse any prefill with a 400; core's continuation then restarts the answer instead.
 */
export function anthropicPrefill(request: ChatRequest): Anthropic.MessageParam[] {
  const text = request.continueFrom?.trimEnd();
  return text ? [{ role: 'assistant', content: text }] : [];
}
