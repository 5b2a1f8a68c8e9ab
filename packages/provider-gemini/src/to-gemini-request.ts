import type { Content, GenerateContentParameters } from '@google/genai';
import type { ChatRequest } from '@keypool/core';
import { appendGeminiPrefill } from './gemini-prefill';

/**
 * Turns a unified chat request into `models.generateContent` parameters: system messages become
 * `config.systemInstruction`, `assistant` turns are `model` turns (consecutive turns of one role are merged), and
 * `maxTokens`, `temperature`, `stop` become `maxOutputTokens`, `temperature`, `stopSequences`.
 */
export function toGeminiRequest(request: ChatRequest, abortSignal?: AbortSignal): GenerateContentParameters {
  const system: string[] = [];
  const contents: Content[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      system.push(message.content);
      continue;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const last = contents.at(-1);
    if (last && last.role === role) last.parts!.push({ text: message.content });
    else contents.push({ role, parts: [{ text: message.content }] });
  }
  appendGeminiPrefill(contents, request);
  return {
    model: request.model,
    contents,
    config: {
      ...(system.length > 0 ? { systemInstruction: { parts: [{ text: system.join('\n\n') }] } } : {}),
      ...(request.maxTokens !== undefined ? { maxOutputTokens: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.stop && request.stop.length > 0 ? { stopSequences: [...request.stop] } : {}),
      ...(abortSignal ? { abortSignal } : {}),
    },
  };
}
