import type { ChatRequest } from '@keypool/core';
import type OpenAI from 'openai';

/**
 * The assistant prefill of a continued answer as a trailing assistant message. OpenAI chat does not continue it
 * reliably, so core's capability table restarts OpenAI answers instead; this is used only when you override the
 * table for an OpenAI-compatible server that continues a trailing assistant message. Empty otherwise.
 */
export function openAIPrefill(
  request: ChatRequest,
): OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam[] {
  const text = request.continueFrom;
  return text ? [{ role: 'assistant', content: text }] : [];
}
