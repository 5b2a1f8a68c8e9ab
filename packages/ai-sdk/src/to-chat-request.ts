import {
  type LanguageModelV4CallOptions,
  type LanguageModelV4Prompt,
  type LanguageModelV4ToolResultOutput,
  type SharedV4Warning,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import type { ChatMessage, ChatRequest, ChatTool, ChatToolCall, ChatUserPart } from '@keypool/core';

/** An AI SDK call as a unified chat request, with warnings for the settings the unified request has no room for. */
export interface ConvertedCall {
  request: ChatRequest;
  warnings: SharedV4Warning[];
}

/**
 * Turns AI SDK call options into Keypool's unified request: the prompt (system, user text and files, assistant text
 * and tool calls, tool results), function tools, tool choice, JSON output, sampling and stop settings, and the abort
 * signal. `topK`, penalties, `reasoning`, provider tools and custom headers are left out with an `unsupported`
 * warning; a file given by provider reference throws `UnsupportedFunctionalityError`.
 */
export function toChatRequest(options: LanguageModelV4CallOptions, model: string): ConvertedCall {
  const warnings: SharedV4Warning[] = [];
  const unsupported = (feature: string, present: unknown): void => {
    if (present !== undefined) warnings.push({ type: 'unsupported', feature });
  };
  unsupported('topK', options.topK);
  unsupported('presencePenalty', options.presencePenalty);
  unsupported('frequencyPenalty', options.frequencyPenalty);
  unsupported('headers', options.headers);
  if (options.reasoning !== undefined && options.reasoning !== 'provider-default')
    warnings.push({ type: 'unsupported', feature: 'reasoning' });

  const tools: ChatTool[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type !== 'function') {
      warnings.push({ type: 'unsupported', feature: `provider tool ${tool.name}` });
      continue;
    }
    tools.push({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.inputSchema as Record<string, unknown>,
      ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
    });
  }

  const request: ChatRequest = { model, messages: toMessages(options.prompt) };
  if (options.maxOutputTokens !== undefined) request.maxTokens = options.maxOutputTokens;
  if (options.temperature !== undefined) request.temperature = options.temperature;
  if (options.topP !== undefined) request.topP = options.topP;
  if (options.seed !== undefined) request.seed = options.seed;
  if (options.stopSequences && options.stopSequences.length > 0) request.stop = options.stopSequences;
  if (tools.length > 0) request.tools = tools;
  const choice = options.toolChoice;
  if (choice && tools.length > 0)
    request.toolChoice = choice.type === 'tool' ? { name: choice.toolName } : choice.type;
  const format = options.responseFormat;
  if (format?.type === 'json') {
    request.responseFormat = {
      type: 'json',
      ...(format.schema !== undefined ? { schema: format.schema as Record<string, unknown> } : {}),
      ...(format.name !== undefined ? { name: format.name } : {}),
      ...(format.description !== undefined ? { description: format.description } : {}),
    };
  }
  if (options.abortSignal) request.signal = options.abortSignal;
  return { request, warnings };
}

function toMessages(prompt: LanguageModelV4Prompt): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const message of prompt) {
    switch (message.role) {
      case 'system':
        messages.push({ role: 'system', content: message.content });
        break;
      case 'user':
        messages.push({ role: 'user', content: message.content.map(toUserPart) });
        break;
      case 'assistant': {
        let text = '';
        const toolCalls: ChatToolCall[] = [];
        for (const part of message.content) {
          if (part.type === 'text') text += part.text;
          else if (part.type === 'tool-call' && !part.providerExecuted)
            toolCalls.push({
              id: part.toolCallId,
              name: part.toolName,
              arguments: typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {}),
            });
        }
        messages.push({ role: 'assistant', content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}) });
        break;
      }
      case 'tool':
        for (const part of message.content) {
          if (part.type !== 'tool-result') continue;
          const { content, isError } = toolOutput(part.output);
          messages.push({
            role: 'tool',
            toolCallId: part.toolCallId,
            toolName: part.toolName,
            content,
            ...(isError ? { isError } : {}),
          });
        }
        break;
    }
  }
  return messages;
}

type UserContent = Extract<LanguageModelV4Prompt[number], { role: 'user' }>['content'][number];

function toUserPart(part: UserContent): ChatUserPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const kind = part.mediaType.startsWith('image/') ? 'image' : 'document';
  const data = part.data;
  if (data.type === 'text') return { type: 'text', text: data.text };
  if (data.type === 'reference')
    throw new UnsupportedFunctionalityError({ functionality: 'files by provider reference' });
  const source = data.type === 'url' ? { url: data.url.href } : { data: data.data };
  return kind === 'image'
    ? { type: 'image', mediaType: part.mediaType, ...source }
    : {
        type: 'document',
        mediaType: part.mediaType,
        ...source,
        ...(part.filename !== undefined ? { name: part.filename } : {}),
      };
}

function toolOutput(output: LanguageModelV4ToolResultOutput): { content: string; isError: boolean } {
  switch (output.type) {
    case 'text':
      return { content: output.value, isError: false };
    case 'json':
      return { content: JSON.stringify(output.value), isError: false };
    case 'error-text':
      return { content: output.value, isError: true };
    case 'error-json':
      return { content: JSON.stringify(output.value), isError: true };
    case 'execution-denied':
      return { content: output.reason ?? 'The tool call was not approved.', isError: true };
    case 'content':
      return {
        content: output.value.map((item) => (item.type === 'text' ? item.text : `[${item.type}]`)).join('\n'),
        isError: false,
      };
  }
}
