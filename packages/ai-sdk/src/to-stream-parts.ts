import type { LanguageModelV4StreamPart, SharedV4Warning } from '@ai-sdk/provider';
import type { ChatToolStreamEvent } from '@keypool/core';

/** What a target's stream yields: the unified events, and a chain's `restart` announcement. */
export type TargetStreamEvent =
  | ChatToolStreamEvent
  | { type: 'restart'; reason: string; discardedText: string };

import { type TargetResult, toFinishReason, toProviderMetadata, toUsage } from './to-language-model-result';

/**
 * Turns a unified stream (already started: `first` is its first event) into the AI SDK's stream parts:
 * `stream-start`, `text-start`/`text-delta`/`text-end`, `tool-input-start`/`tool-input-delta`/`tool-input-end`, one
 * `tool-call` per call, `response-metadata` and `finish` with usage and `providerMetadata.keypool`. A failure after
 * the start becomes an `error` part (the partial answer is never reported as finished). A chain's `restart` (a broken
 * answer restarted from the beginning) ends the current text part; the replacement arrives as a new text part.
 */
export function toStreamParts(
  first: IteratorResult<TargetStreamEvent>,
  events: AsyncIterator<TargetStreamEvent>,
  warnings: SharedV4Warning[],
): ReadableStream<LanguageModelV4StreamPart> {
  let textParts = 0;
  let textId = 'text-0';
  let textOpen = false;
  const openTools = new Set<string>();
  let next: IteratorResult<TargetStreamEvent> | undefined = first;
  return new ReadableStream<LanguageModelV4StreamPart>({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings });
    },
    async pull(controller) {
      try {
        const step = next ?? (await events.next());
        next = undefined;
        if (step.done) {
          controller.close();
          return;
        }
        const event = step.value;
        if (event.type === 'restart') {
          if (textOpen) controller.enqueue({ type: 'text-end', id: textId });
          textOpen = false;
          textParts++;
          textId = `text-${textParts}`;
        } else if (event.type === 'delta') {
          if (!textOpen) {
            textOpen = true;
            controller.enqueue({ type: 'text-start', id: textId });
          }
          controller.enqueue({ type: 'text-delta', id: textId, delta: event.text });
        } else if (event.type === 'tool_call_delta') {
          if (!openTools.has(event.id)) {
            openTools.add(event.id);
            controller.enqueue({ type: 'tool-input-start', id: event.id, toolName: event.name });
          }
          if (event.argumentsDelta !== '')
            controller.enqueue({ type: 'tool-input-delta', id: event.id, delta: event.argumentsDelta });
        } else {
          finish(controller, event.result as TargetResult);
        }
      } catch (error) {
        controller.enqueue({ type: 'error', error });
        controller.close();
      }
    },
    async cancel() {
      await events.return?.();
    },
  });

  function finish(
    controller: ReadableStreamDefaultController<LanguageModelV4StreamPart>,
    result: TargetResult,
  ) {
    if (textOpen) controller.enqueue({ type: 'text-end', id: textId });
    // A chain's stream (until pools stream tool calls) may deliver text only: the whole text arrives on `done`.
    if (!textOpen && result.text !== '') {
      controller.enqueue({ type: 'text-start', id: textId });
      controller.enqueue({ type: 'text-delta', id: textId, delta: result.text });
      controller.enqueue({ type: 'text-end', id: textId });
    }
    for (const call of result.toolCalls ?? []) {
      if (!openTools.has(call.id)) {
        controller.enqueue({ type: 'tool-input-start', id: call.id, toolName: call.name });
        controller.enqueue({ type: 'tool-input-delta', id: call.id, delta: call.arguments });
      }
      controller.enqueue({ type: 'tool-input-end', id: call.id });
      controller.enqueue({
        type: 'tool-call',
        toolCallId: call.id,
        toolName: call.name,
        input: call.arguments || '{}',
      });
    }
    controller.enqueue({
      type: 'response-metadata',
      modelId: result.model,
      ...(result.requestId !== undefined ? { id: result.requestId } : {}),
    });
    controller.enqueue({
      type: 'finish',
      usage: toUsage(result.usage),
      finishReason: toFinishReason(result.finishReason),
      providerMetadata: toProviderMetadata(result),
    });
  }
}
