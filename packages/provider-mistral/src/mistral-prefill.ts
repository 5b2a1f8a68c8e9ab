import type { ChatRequest } from '@keypool/core';
import type { AssistantMessage } from '@mistralai/mistralai/models/components';

/**
 * The assistant prefill of a continued answer as Mistral takes it: a trailing assistant message marked
 * `prefix: true`, which the model continues. Empty when the request continues nothing.
 */
export function mistralPrefill(request: ChatRequest): (AssistantMessage & { role: 'assistant' })[] {
  const text = request.continueFrom;
  return text ? [{ role: 'assistant', content: text, prefix: true }] : [];
}
