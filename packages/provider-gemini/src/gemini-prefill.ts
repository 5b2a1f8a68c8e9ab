import type { Content } from '@google/genai';
import type { ChatRequest } from '@keypool/core';

/**
 * Adds the assistant prefill of a continued answer as Gemini takes it: trailing `model` content that the model
 * continues (merged into a trailing `model` turn if there is one). Does nothing when the request continues nothing.
 */
export function appendGeminiPrefill(contents: Content[], request: ChatRequest): void {
  const text = request.continueFrom;
  if (!text) return;
  const last = contents.at(-1);
  if (last?.role === 'model') last.parts = [...(last.parts ?? []), { text }];
  else contents.push({ role: 'model', parts: [{ text }] });
}
