import {
  type ChatMessage,
  type ChatRequest,
  type ChatUserPart,
  mediaDataUrl,
  resolveMedia,
  UnsupportedFeatureError,
} from '@keypool/core';
import type OpenAI from 'openai';
import { openAIPrefill } from './openai-prefill';

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ContentPart = OpenAI.Chat.Completions.ChatCompletionContentPart;

/**
 * The unified request as chat-completions parameters: messages (multi-part user content with images as URLs or data
 * URLs and PDFs as `file` parts; assistant `tool_calls`; `tool` results), `tools` (function tools, `strict` kept),
 * `tool_choice`, `parallel_tool_calls`, `response_format` (`json_object` or `json_schema`), `max_completion_tokens`,
 * `temperature`, `top_p`, `seed`, `stop`. A document by URL throws `UnsupportedFeatureError` (chat completions
 * takes files as bytes only).
 */
export function toOpenAIChatParams(request: ChatRequest): ChatParams {
  const params: ChatParams = {
    model: request.model,
    messages: [...request.messages.map(toMessageParam), ...openAIPrefill(request)],
  };
  if (request.maxTokens !== undefined) params.max_completion_tokens = request.maxTokens;
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.seed !== undefined) params.seed = request.seed;
  if (request.stop !== undefined && request.stop.length > 0) params.stop = [...request.stop];
  if (request.tools && request.tools.length > 0) {
    params.tools = request.tools.map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }));
    if (request.parallelToolCalls !== undefined) params.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.toolChoice !== undefined) {
    params.tool_choice =
      typeof request.toolChoice === 'string'
        ? request.toolChoice
        : { type: 'function', function: { name: request.toolChoice.name } };
  }
  const format = request.responseFormat;
  if (format?.type === 'json') {
    params.response_format = format.schema
      ? {
          type: 'json_schema',
          json_schema: {
            name: format.name ?? 'response',
            ...(format.description !== undefined ? { description: format.description } : {}),
            schema: format.schema,
          },
        }
      : { type: 'json_object' };
  }
  return params;
}

function toMessageParam(message: ChatMessage): MessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return {
        role: 'user',
        content: typeof message.content === 'string' ? message.content : message.content.map(toContentPart),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content === '' && message.toolCalls?.length ? null : message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function toContentPart(part: ChatUserPart): ContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const media = resolveMedia(part, 'openai');
  if (part.type === 'image') return { type: 'image_url', image_url: { url: mediaDataUrl(media) } };
  if (media.kind === 'url') throw new UnsupportedFeatureError('openai', 'a document by URL (send its bytes)');
  return {
    type: 'file',
    file: { file_data: mediaDataUrl(media), ...(part.name !== undefined ? { filename: part.name } : {}) },
  };
}
