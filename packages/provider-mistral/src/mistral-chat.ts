import {
  type ChatMessage,
  type ChatRequest,
  type ChatUsage,
  type ChatUserPart,
  mediaDataUrl,
  resolveMedia,
  UnsupportedFeatureError,
} from '@keypool/core';
import type {
  ChatCompletionRequest,
  ChatCompletionRequestMessage,
  ContentChunk,
  UsageInfo,
} from '@mistralai/mistralai/models/components';
import { mistralPrefill } from './mistral-prefill';
import { toMistralToolCallId } from './mistral-tool-call-id';

/**
 * The unified request as the Mistral SDK takes it (the SDK turns it into the snake_case body): messages (user parts
 * as text, `image_url` and `document_url` chunks; assistant `toolCalls`; `tool` results with the tool's name),
 * `tools`, `toolChoice` (`required` is `any`), `parallelToolCalls`, `responseFormat` (`json_object` or
 * `json_schema`), `maxTokens`, `temperature`, `topP`, `randomSeed`, `stop`. Tool-call ids that are not Mistral's nine
 * letters or digits are sent as a stable nine-character translation (the same in the call and its result). A document
 * as bytes throws `UnsupportedFeatureError` (Mistral takes documents by URL). The signal is passed separately, in
 * the request options.
 */
export function toMistralChatRequest(request: ChatRequest): ChatCompletionRequest {
  const body: ChatCompletionRequest = {
    model: request.model,
    messages: [...request.messages.map(toMistralMessage), ...mistralPrefill(request)],
  };
  if (request.maxTokens !== undefined) body.maxTokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.topP = request.topP;
  if (request.seed !== undefined) body.randomSeed = request.seed;
  if (request.stop !== undefined) body.stop = [...request.stop];
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }));
    if (request.parallelToolCalls !== undefined) body.parallelToolCalls = request.parallelToolCalls;
  }
  const choice = request.toolChoice;
  if (choice !== undefined) {
    body.toolChoice =
      typeof choice === 'object'
        ? { type: 'function', function: { name: choice.name } }
        : choice === 'required'
          ? 'any'
          : choice;
  }
  const format = request.responseFormat;
  if (format?.type === 'json') {
    body.responseFormat = format.schema
      ? {
          type: 'json_schema',
          jsonSchema: {
            name: format.name ?? 'response',
            ...(format.description !== undefined ? { description: format.description } : {}),
            schemaDefinition: format.schema,
          },
        }
      : { type: 'json_object' };
  }
  return body;
}

function toMistralMessage(message: ChatMessage): ChatCompletionRequestMessage {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return {
        role: 'user',
        content: typeof message.content === 'string' ? message.content : message.content.map(toContentChunk),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? {
              toolCalls: message.toolCalls.map((call) => ({
                id: toMistralToolCallId(call.id),
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
    case 'tool':
      return {
        role: 'tool',
        toolCallId: toMistralToolCallId(message.toolCallId),
        ...(message.toolName !== undefined ? { name: message.toolName } : {}),
        content: message.content,
      };
  }
}

function toContentChunk(part: ChatUserPart): ContentChunk {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const media = resolveMedia(part, 'mistral');
  if (part.type === 'image') return { type: 'image_url', imageUrl: mediaDataUrl(media) };
  if (media.kind !== 'url')
    throw new UnsupportedFeatureError('mistral', 'a document as bytes (send its URL)');
  return {
    type: 'document_url',
    documentUrl: media.url,
    ...(part.name !== undefined ? { documentName: part.name } : {}),
  };
}

/** Mistral's `usage` in the unified shape; the total is always input + output. */
export function toChatUsage(usage: UsageInfo | null | undefined): ChatUsage {
  const inputTokens = usage?.promptTokens ?? 0;
  const outputTokens = usage?.completionTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}
