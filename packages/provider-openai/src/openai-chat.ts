import {
  type AttemptContext,
  type ChatRequest,
  type ChatResult,
  type ChatStreamPart,
  type ChatToolCall,
  type ChatToolStreamPart,
  type ChatUsage,
  IncompleteAnswerError,
  withoutToolCallDeltas,
} from '@keypool/core';
import type OpenAI from 'openai';
import { mapOpenAIFinishReason } from './map-openai-finish-reason';
import { toOpenAIChatParams } from './to-openai-chat-params';

type CompletionUsage = OpenAI.Completions.CompletionUsage;

export { toOpenAIChatParams };

/**
 * One unified chat call: `chat.completions.create` on the key's client, with the attempt's signal. A 200 without a
 * choice, a message or a finish reason throws an `IncompleteAnswerError` (classified `server`), never an empty success.
 */
export async function openAIChat(
  client: OpenAI,
  request: ChatRequest,
  context: AttemptContext,
): Promise<Omit<ChatResult, 'keyId' | 'provider'>> {
  const params = toOpenAIChatParams(request);
  const { data, request_id } = await client.chat.completions
    .create(params, { signal: context.signal, maxRetries: 0 })
    .withResponse();
  const choice = Array.isArray(data.choices) ? data.choices[0] : undefined;
  if (!choice) throw new IncompleteAnswerError('openai', 'no choices');
  if (!choice.finish_reason) throw new IncompleteAnswerError('openai', 'no finish_reason');
  if (!choice.message) throw new IncompleteAnswerError('openai', 'a choice without a message');
  const toolCalls: ChatToolCall[] = [];
  for (const call of choice.message.tool_calls ?? [])
    if (call.type === 'function')
      toolCalls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
  return {
    text: choice.message.content ?? '',
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    finishReason: mapOpenAIFinishReason(choice.finish_reason),
    usage: toUsage(data.usage),
    model: data.model || request.model,
    ...(request_id ? { requestId: request_id } : data.id ? { requestId: data.id } : {}),
  };
}

/**
 * One unified streaming call with `stream_options.include_usage`: text deltas, tool-call deltas (the id and name
 * arrive on a call's first piece and are repeated on every later one), then one `done` once the stream has ended
 * properly. A stream that ends before any choice finished yields no `done`, so the engine reports it as interrupted
 * rather than a truncated success.
 */
export async function* openAIStreamWithTools(
  client: OpenAI,
  request: ChatRequest,
  context: AttemptContext,
): AsyncGenerator<ChatToolStreamPart, void, undefined> {
  const params = toOpenAIChatParams(request);
  const { data: stream, request_id } = await client.chat.completions
    .create(
      { ...params, stream: true, stream_options: { include_usage: true } },
      { signal: context.signal, maxRetries: 0 },
    )
    .withResponse();
  let finishReason: string | undefined;
  let usage: CompletionUsage | undefined;
  let model: string | undefined;
  let id: string | undefined;
  const calls = new Map<number, ChatToolCall>();
  for await (const chunk of stream) {
    model ||= chunk.model;
    id ||= chunk.id;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    const text = choice.delta?.content;
    if (text) yield { type: 'delta', text };
    for (const piece of choice.delta?.tool_calls ?? []) {
      let call = calls.get(piece.index);
      if (!call) {
        call = { id: piece.id ?? `call_${piece.index}`, name: piece.function?.name ?? '', arguments: '' };
        calls.set(piece.index, call);
      }
      const argumentsDelta = piece.function?.arguments ?? '';
      call.arguments += argumentsDelta;
      yield { type: 'tool_call_delta', index: piece.index, id: call.id, name: call.name, argumentsDelta };
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  if (finishReason === undefined) return;
  yield {
    type: 'done',
    finishReason: mapOpenAIFinishReason(finishReason),
    usage: toUsage(usage),
    ...(calls.size > 0 ? { toolCalls: [...calls.values()] } : {}),
    ...(model ? { model } : {}),
    ...(request_id ? { requestId: request_id } : id ? { requestId: id } : {}),
  };
}

/** {@link openAIStreamWithTools} without the tool-call deltas (their calls still arrive on `done`). */
export function openAIStream(
  client: OpenAI,
  request: ChatRequest,
  context: AttemptContext,
): AsyncGenerator<ChatStreamPart, void, undefined> {
  return withoutToolCallDeltas(openAIStreamWithTools(client, request, context));
}

function toUsage(usage: CompletionUsage | null | undefined): ChatUsage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    ...(typeof cached === 'number' && cached > 0 ? { cachedInputTokens: cached } : {}),
  };
}
