import {
  type Content,
  FunctionCallingConfigMode,
  type GenerateContentConfig,
  type GenerateContentParameters,
  type Part,
} from '@google/genai';
import {
  type ChatMessage,
  type ChatRequest,
  type ChatUserPart,
  parseToolArguments,
  resolveMedia,
  toolNameFor,
  UnsupportedFeatureError,
} from '@keypool/core';
import { appendGeminiPrefill } from './gemini-prefill.ts';

/**
 * Turns a unified chat request into `models.generateContent` parameters: system messages become
 * `config.systemInstruction`; `assistant` turns are `model` turns with `functionCall` parts (ids kept); tool results are
 * `functionResponse` parts in a user turn (a JSON object result as is, anything else as `{output}` or `{error}`);
 * images and documents are `inlineData` (bytes) or `fileData` (URL, with its media type); consecutive turns of one role
 * are merged. `tools` become function declarations (`parametersJsonSchema`), `toolChoice` the function-calling mode,
 * JSON output `responseMimeType` + `responseJsonSchema`; `maxTokens`, `temperature`, `topP`, `seed`, `stop` map to
 * their config fields. `parallelToolCalls: false` (Gemini has no such switch) and a URL without a media type throw
 * `UnsupportedFeatureError`.
 */
export function toGeminiRequest(request: ChatRequest, abortSignal?: AbortSignal): GenerateContentParameters {
  if (request.parallelToolCalls === false && request.tools && request.tools.length > 0)
    throw new UnsupportedFeatureError('gemini', 'turning parallel tool calls off');
  const system: string[] = [];
  const contents: Content[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      system.push(message.content);
      continue;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts = toParts(message, request.messages);
    if (parts.length === 0) continue;
    const last = contents.at(-1);
    if (last && last.role === role) last.parts!.push(...parts);
    else contents.push({ role, parts });
  }
  appendGeminiPrefill(contents, request);
  const config: GenerateContentConfig = {
    ...(system.length > 0 ? { systemInstruction: { parts: [{ text: system.join('\n\n') }] } } : {}),
    ...(request.maxTokens !== undefined ? { maxOutputTokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.stop && request.stop.length > 0 ? { stopSequences: [...request.stop] } : {}),
    ...(abortSignal ? { abortSignal } : {}),
  };
  if (request.tools && request.tools.length > 0) {
    config.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description !== undefined ? { description: tool.description } : {}),
          parametersJsonSchema: tool.parameters,
        })),
      },
    ];
  }
  const choice = request.toolChoice;
  if (choice !== undefined) {
    config.toolConfig = {
      functionCallingConfig:
        choice === 'none'
          ? { mode: FunctionCallingConfigMode.NONE }
          : choice === 'auto'
            ? { mode: FunctionCallingConfigMode.AUTO }
            : choice === 'required'
              ? { mode: FunctionCallingConfigMode.ANY }
              : { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: [choice.name] },
    };
  }
  if (request.responseFormat?.type === 'json') {
    config.responseMimeType = 'application/json';
    if (request.responseFormat.schema) config.responseJsonSchema = request.responseFormat.schema;
  }
  return { model: request.model, contents, config };
}

function toParts(message: Exclude<ChatMessage, { role: 'system' }>, history: readonly ChatMessage[]): Part[] {
  switch (message.role) {
    case 'user':
      return typeof message.content === 'string'
        ? [{ text: message.content }]
        : message.content.map(toUserPart);
    case 'assistant': {
      const parts: Part[] = message.content !== '' ? [{ text: message.content }] : [];
      for (const call of message.toolCalls ?? [])
        parts.push({
          functionCall: { id: call.id, name: call.name, args: parseToolArguments(call.arguments, 'gemini') },
        });
      if (parts.length === 0) parts.push({ text: '' });
      return parts;
    }
    case 'tool':
      return [
        {
          functionResponse: {
            id: message.toolCallId,
            name: toolNameFor(history, message.toolCallId, 'gemini', message.toolName),
            response: toolResponse(message.content, message.isError === true),
          },
        },
      ];
  }
}

/** A tool result as Gemini's `response` object: a JSON object as is; other text under `output` (or `error`). */
function toolResponse(content: string, isError: boolean): Record<string, unknown> {
  if (!isError) {
    try {
      const value: unknown = JSON.parse(content);
      if (value && typeof value === 'object' && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // Plain text: wrapped below.
    }
  }
  return isError ? { error: content } : { output: content };
}

function toUserPart(part: ChatUserPart): Part {
  if (part.type === 'text') return { text: part.text };
  const media = resolveMedia(part, 'gemini');
  if (media.kind === 'base64') return { inlineData: { mimeType: media.mediaType, data: media.data } };
  if (!media.mediaType)
    throw new UnsupportedFeatureError('gemini', `an ${part.type} URL without a mediaType`);
  return { fileData: { fileUri: media.url, mimeType: media.mediaType } };
}
