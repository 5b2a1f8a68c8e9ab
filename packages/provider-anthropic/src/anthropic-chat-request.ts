import type Anthropic from '@anthropic-ai/sdk';
import {
  type ChatMessage,
  type ChatRequest,
  type ChatUserPart,
  parseToolArguments,
  resolveMedia,
  UnsupportedFeatureError,
} from '@keypool/core';
import { anthropicPrefill } from './anthropic-prefill';

/** How the unified chat turns a request into Anthropic's Messages parameters. */
export interface AnthropicChatOptions {
  /** `max_tokens` when the request sets none (Anthropic requires it). Default 1024. */
  defaultMaxTokens?: number;
  /**
   * Send the request's `temperature` and `topP`. Off by default: the 1.x SDK's API version (`2026-10-21`) rejects
   * `temperature`, `top_p` and `top_k` with a 400, so the unified chat drops them unless you opt in (e.g. for an
   * older `anthropic-version` set through `defaultHeaders`).
   */
  sendTemperature?: boolean;
}

/** The default `max_tokens` of the unified chat. */
export const DEFAULT_MAX_TOKENS = 1024;

type Block = Anthropic.ContentBlockParam;

/**
 * Builds the Messages API parameters of a unified chat request: system messages go to the top-level `system` field
 * (joined by blank lines); user parts become text, image and document blocks; assistant tool calls become `tool_use`
 * blocks and tool results `tool_result` blocks in a user turn (consecutive turns of one role are merged); `tools`,
 * `tool_choice` (with `disable_parallel_tool_use` when parallel calls are off), JSON output as
 * `output_config.format` (JSON mode as the schema of any object); `maxTokens` to `max_tokens` (default 1024), `stop`
 * to `stop_sequences`; `temperature` and `topP` are dropped unless `sendTemperature` is set. A `seed`, or a
 * base64 document that is not a PDF, throws `UnsupportedFeatureError`.
 */
export function toAnthropicMessageParams(
  request: ChatRequest,
  options: AnthropicChatOptions = {},
): Anthropic.MessageCreateParamsNonStreaming {
  if (request.seed !== undefined) throw new UnsupportedFeatureError('anthropic', 'a seed');
  const system: string[] = [];
  const messages: Anthropic.MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]): void => {
    const last = messages.at(-1);
    if (last && last.role === role) (last.content as Block[]).push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const message of request.messages) {
    if (message.role === 'system') system.push(message.content);
    else push(message.role === 'assistant' ? 'assistant' : 'user', toBlocks(message));
  }
  messages.push(...anthropicPrefill(request));
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: request.model,
    max_tokens: request.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
    messages: messages.map(collapseText),
  };
  if (system.length > 0) params.system = system.join('\n\n');
  if (request.stop && request.stop.length > 0) params.stop_sequences = [...request.stop];
  if (request.tools && request.tools.length > 0) {
    params.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      input_schema: tool.parameters as Anthropic.Tool.InputSchema,
      ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
    }));
  }
  const choice = toolChoice(request);
  if (choice) params.tool_choice = choice;
  if (request.responseFormat?.type === 'json') {
    params.output_config = {
      format: { type: 'json_schema', schema: request.responseFormat.schema ?? { type: 'object' } },
    };
  }
  if (options.sendTemperature) {
    // 1.x's types no longer declare `temperature` / `top_p`; they are still sent when set.
    const loose = params as unknown as Record<string, unknown>;
    if (request.temperature !== undefined) loose.temperature = request.temperature;
    if (request.topP !== undefined) loose.top_p = request.topP;
  }
  return params;
}

/** Anthropic's tool ids allow letters, digits, `_` and `-`; any other character is sent as `_` (both places alike). */
export function toAnthropicToolId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

function toolChoice(request: ChatRequest): Anthropic.ToolChoice | undefined {
  const choice = request.toolChoice;
  const noParallel = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...noParallel };
  if (typeof choice === 'object') return { type: 'tool', name: choice.name, ...noParallel };
  if (choice === 'auto' || request.parallelToolCalls === false) return { type: 'auto', ...noParallel };
  return undefined;
}

function toBlocks(message: Exclude<ChatMessage, { role: 'system' }>): Block[] {
  switch (message.role) {
    case 'user':
      return typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : message.content.map(toUserBlock);
    case 'assistant': {
      const blocks: Block[] = message.content !== '' ? [{ type: 'text', text: message.content }] : [];
      for (const call of message.toolCalls ?? [])
        blocks.push({
          type: 'tool_use',
          id: toAnthropicToolId(call.id),
          name: call.name,
          input: parseToolArguments(call.arguments, 'anthropic'),
        });
      return blocks;
    }
    case 'tool':
      return [
        {
          type: 'tool_result',
          tool_use_id: toAnthropicToolId(message.toolCallId),
          content: message.content,
          ...(message.isError ? { is_error: true } : {}),
        },
      ];
  }
}

function toUserBlock(part: ChatUserPart): Block {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const media = resolveMedia(part, 'anthropic');
  if (part.type === 'image') {
    return media.kind === 'url'
      ? { type: 'image', source: { type: 'url', url: media.url } }
      : {
          type: 'image',
          source: {
            type: 'base64',
            media_type: media.mediaType as Anthropic.Base64ImageSource['media_type'],
            data: media.data,
          },
        };
  }
  if (media.kind === 'url') return { type: 'document', source: { type: 'url', url: media.url } };
  if (media.mediaType !== 'application/pdf')
    throw new UnsupportedFeatureError('anthropic', `a ${media.mediaType} document as bytes (only PDF)`);
  return {
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data: media.data },
    ...(part.name !== undefined ? { title: part.name } : {}),
  };
}

/** A turn of one text block is sent as a plain string, as before tools existed (same wire shape for plain chats). */
function collapseText(message: Anthropic.MessageParam): Anthropic.MessageParam {
  const blocks = message.content as Block[];
  const only = blocks.length === 1 ? blocks[0] : undefined;
  return only?.type === 'text' ? { role: message.role, content: only.text } : message;
}
