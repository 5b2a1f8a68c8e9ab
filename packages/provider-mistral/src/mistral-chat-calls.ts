import {
  type AttemptContext,
  type ChatRequest,
  type ChatResult,
  type ChatToolCall,
  type ChatToolStreamPart,
  IncompleteAnswerError,
} from '@keypool/core';
import type { Mistral } from '@mistralai/mistralai';
import type { ToolCall, UsageInfo } from '@mistralai/mistralai/models/components';
import { mapMistralFinishReason } from './map-mistral-finish-reason';
import { toChatUsage, toMistralChatRequest } from './mistral-chat';
import { mistralContentText } from './mistral-content-text';
import { enforceTimeout, withAttemptSignal } from './mistral-request-options';

/** One unified chat call over `chat.complete`: the text, and the tool calls with their arguments as JSON text. */
export async function mistralChat(
  client: Mistral,
  request: ChatRequest,
  context: AttemptContext,
  timeoutMs: number | undefined,
): Promise<Omit<ChatResult, 'keyId' | 'provider'>> {
  const body = toMistralChatRequest(request);
  const response = await enforceTimeout(
    client.chat.complete(body, withAttemptSignal(undefined, context.signal, timeoutMs)),
    timeoutMs,
  );
  const choice = response.choices?.[0];
  // The SDK validates the body, but an empty `choices` passes: a 200 without an answer is the server's failure.
  if (!choice) throw new IncompleteAnswerError('mistral', 'no choices');
  if (!choice.finishReason) throw new IncompleteAnswerError('mistral', 'no finish_reason');
  const toolCalls = (choice?.message?.toolCalls ?? []).map(toToolCall);
  return {
    text: mistralContentText(choice?.message?.content),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    finishReason: mapMistralFinishReason(choice?.finishReason),
    usage: toChatUsage(response.usage),
    model: response.model || request.model,
    ...(response.id ? { requestId: response.id } : {}),
  };
}

/**
 * One unified streaming call over `chat.stream`: text deltas, a `tool_call_delta` per tool call (Mistral sends each
 * call whole), then `done` once a choice finished. No finish reason means the answer did not end: no `done`, so the
 * engine reports the stream as interrupted.
 */
export async function* mistralStreamWithTools(
  client: Mistral,
  request: ChatRequest,
  context: AttemptContext,
  timeoutMs: number | undefined,
): AsyncGenerator<ChatToolStreamPart, void, undefined> {
  const body = toMistralChatRequest(request);
  const stream = await enforceTimeout(
    client.chat.stream(body, withAttemptSignal(undefined, context.signal, timeoutMs)),
    timeoutMs,
  );
  let finishReason: string | undefined;
  let usage: UsageInfo | undefined;
  let model: string | undefined;
  let id: string | undefined;
  const toolCalls: ChatToolCall[] = [];
  for await (const event of stream) {
    const chunk = event.data;
    if (chunk.model) model = chunk.model;
    if (chunk.id) id = chunk.id;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => candidate.index === 0) ?? chunk.choices[0];
    if (!choice) continue;
    const text = mistralContentText(choice.delta.content);
    if (text !== '') yield { type: 'delta', text };
    for (const piece of choice.delta.toolCalls ?? []) {
      const call = toToolCall(piece, toolCalls.length);
      yield {
        type: 'tool_call_delta',
        index: toolCalls.length,
        id: call.id,
        name: call.name,
        argumentsDelta: call.arguments,
      };
      toolCalls.push(call);
    }
    if (choice.finishReason) finishReason = choice.finishReason;
  }
  if (finishReason === undefined) return;
  yield {
    type: 'done',
    finishReason: mapMistralFinishReason(finishReason),
    usage: toChatUsage(usage),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    model: model ?? request.model,
    ...(id ? { requestId: id } : {}),
  };
}

function toToolCall(call: ToolCall, index: number): ChatToolCall {
  const args = call.function.arguments;
  return {
    id: call.id ?? `mistral-call-${index}`,
    name: call.function.name,
    arguments: typeof args === 'string' ? args : JSON.stringify(args),
  };
}
