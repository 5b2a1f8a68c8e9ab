import type { AttemptContext, ChatRequest, ChatResult, ChatStreamPart, ChatUsage } from '@keypool/core';
import type OpenAI from 'openai';
import { mapOpenAIFinishReason } from './map-openai-finish-reason';
import { openAIPrefill } from './openai-prefill';

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type CompletionUsage = OpenAI.Completions.CompletionUsage;

/** The unified request as chat-completions parameters (`max_completion_tokens`, `temperature`, `stop`). */
export function toOpenAIChatParams(request: ChatRequest): ChatParams {
  return {
    model: request.model,
    messages: [
      ...request.messages.map((message) => ({ role: message.role, content: message.content })),
      ...openAIPrefill(request),
    ],
    ...(request.maxTokens !== undefined ? { max_completion_tokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.stop !== undefined && request.stop.length > 0 ? { stop: [...request.stop] } : {}),
  };
}

/** One unified chat call: `chat.completions.create` on the key's client, with the attempt's signal. */
export async function openAIChat(
  client: OpenAI,
  request: ChatRequest,
  context: AttemptContext,
): Promise<Omit<ChatResult, 'keyId' | 'provider'>> {
  const { data, request_id } = await client.chat.completions
    .create(toOpenAIChatParams(request), { signal: context.signal, maxRetries: 0 })
    .withResponse();
  const choice = data.choices[0];
  return {
    text: choice?.message.content ?? '',
    finishReason: mapOpenAIFinishReason(choice?.finish_reason),
    usage: toUsage(data.usage),
    model: data.model || request.model,
    ...(request_id ? { requestId: request_id } : data.id ? { requestId: data.id } : {}),
  };
}

/**
 * One unified streaming call with `stream_options.include_usage`: text deltas, then one `done` once the stream has
 * ended properly. A stream that ends before any choice finished yields no `done`, so the engine reports it as
 * interrupted rather than a truncated success.
 */
export async function* openAIStream(
  client: OpenAI,
  request: ChatRequest,
  context: AttemptContext,
): AsyncGenerator<ChatStreamPart, void, undefined> {
  const { data: stream, request_id } = await client.chat.completions
    .create(
      { ...toOpenAIChatParams(request), stream: true, stream_options: { include_usage: true } },
      { signal: context.signal, maxRetries: 0 },
    )
    .withResponse();
  let finishReason: string | undefined;
  let usage: CompletionUsage | undefined;
  let model: string | undefined;
  let id: string | undefined;
  for await (const chunk of stream) {
    model ||= chunk.model;
    id ||= chunk.id;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    const text = choice.delta?.content;
    if (text) yield { type: 'delta', text };
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  if (finishReason === undefined) return;
  yield {
    type: 'done',
    finishReason: mapOpenAIFinishReason(finishReason),
    usage: toUsage(usage),
    ...(model ? { model } : {}),
    ...(request_id ? { requestId: request_id } : id ? { requestId: id } : {}),
  };
}

function toUsage(usage: CompletionUsage | null | undefined): ChatUsage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}
