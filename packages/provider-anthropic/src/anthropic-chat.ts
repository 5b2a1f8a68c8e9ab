import type Anthropic from '@anthropic-ai/sdk';
import type {
  AttemptContext,
  ChatRequest,
  ChatResult,
  ChatToolCall,
  ChatToolStreamPart,
  ChatUsage,
} from '@keypool/core';
import { type AnthropicChatOptions, toAnthropicMessageParams } from './anthropic-chat-request.ts';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';

/** Per-call settings of the unified Anthropic calls. */
export interface AnthropicCallSettings extends AnthropicChatOptions {
  /** The request timeout passed on every call (the SDK refuses a large non-streaming call without one). */
  timeout: number;
}

/** One unified chat call over `messages.create`: text blocks joined, `tool_use` blocks as tool calls. */
export async function anthropicChat(
  client: Anthropic,
  request: ChatRequest,
  context: AttemptContext,
  settings: AnthropicCallSettings,
): Promise<Omit<ChatResult, 'keyId' | 'provider'>> {
  const params = toAnthropicMessageParams(request, settings);
  const { data, request_id } = await client.messages
    .create(params, { signal: context.signal, timeout: settings.timeout })
    .withResponse();
  let text = '';
  const toolCalls: ChatToolCall[] = [];
  for (const block of data.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use')
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
  }
  const requestId = request_id ?? data.id;
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    finishReason: mapAnthropicFinishReason(data.stop_reason),
    usage: anthropicUsage(data.usage, data.usage.output_tokens),
    model: data.model,
    ...(requestId ? { requestId } : {}),
  };
}

/**
 * One unified streaming call: text deltas, a `tool_call_delta` per `input_json_delta` of a `tool_use` block (and one
 * empty piece when the block starts, so a call with no input is seen), then `done` at `message_stop`. A stream without
 * `message_stop` yields no `done`: the engine treats it as interrupted.
 */
export async function* anthropicStreamWithTools(
  client: Anthropic,
  request: ChatRequest,
  context: AttemptContext,
  settings: AnthropicCallSettings,
): AsyncGenerator<ChatToolStreamPart, void, undefined> {
  const params = { ...toAnthropicMessageParams(request, settings), stream: true as const };
  const { data: events, request_id } = await client.messages
    .create(params, { signal: context.signal, timeout: settings.timeout })
    .withResponse();
  let model: string | undefined;
  let messageId: string | undefined;
  let startUsage: Anthropic.Usage | undefined;
  let outputTokens = 0;
  let stopReason: string | null = null;
  const calls = new Map<number, ChatToolCall & { index: number }>();
  for await (const event of events) {
    switch (event.type) {
      case 'message_start':
        model = event.message.model;
        messageId = event.message.id;
        startUsage = event.message.usage;
        outputTokens = event.message.usage.output_tokens;
        break;
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') {
          const call = {
            index: calls.size,
            id: event.content_block.id,
            name: event.content_block.name,
            arguments: '',
          };
          calls.set(event.index, call);
          yield {
            type: 'tool_call_delta',
            index: call.index,
            id: call.id,
            name: call.name,
            argumentsDelta: '',
          };
        }
        break;
      case 'content_block_delta':
        if (event.delta.type === 'text_delta' && event.delta.text !== '') {
          yield { type: 'delta', text: event.delta.text };
        } else if (event.delta.type === 'input_json_delta') {
          const call = calls.get(event.index);
          if (call && event.delta.partial_json !== '') {
            call.arguments += event.delta.partial_json;
            yield {
              type: 'tool_call_delta',
              index: call.index,
              id: call.id,
              name: call.name,
              argumentsDelta: event.delta.partial_json,
            };
          }
        }
        break;
      case 'message_delta':
        stopReason = event.delta.stop_reason;
        outputTokens = event.usage.output_tokens;
        if (startUsage && typeof event.usage.input_tokens === 'number')
          startUsage = { ...startUsage, input_tokens: event.usage.input_tokens };
        break;
      case 'message_stop': {
        const requestId = request_id ?? messageId;
        const toolCalls = [...calls.values()].map(({ id, name, arguments: json }) => ({
          id,
          name,
          arguments: json === '' ? '{}' : json,
        }));
        yield {
          type: 'done',
          finishReason: mapAnthropicFinishReason(stopReason),
          usage: anthropicUsage(startUsage, outputTokens),
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
          ...(model ? { model } : {}),
          ...(requestId ? { requestId } : {}),
        };
        return;
      }
    }
  }
}

/**
 * Unified usage: input counts every prompt token (Anthropic's `input_tokens` excludes the cache reads and writes, so
 * they are added), with the cache reads as `cachedInputTokens`.
 */
function anthropicUsage(usage: Anthropic.Usage | undefined, outputTokens: number): ChatUsage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const inputTokens = (usage?.input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0) + cacheRead;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    ...(cacheRead > 0 ? { cachedInputTokens: cacheRead } : {}),
  };
}
