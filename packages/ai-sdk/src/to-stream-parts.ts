import type { LanguageModelV4StreamPart, SharedV4Warning } from '@ai-sdk/provider';
import {
  type ChatToolStreamEvent,
  ERROR_CATEGORIES,
  type ErrorCategory,
  StreamInterruptedError,
  type StreamRestartEvent,
} from '@keypool/core';
import { type TargetResult, toFinishReason, toProviderMetadata, toUsage } from './to-language-model-result';

/** What a target's stream yields: the unified events, and a `restart` announcement (a pool's or a chain's). */
export type TargetStreamEvent = ChatToolStreamEvent | StreamRestartEvent;

/**
 * What the model does when the answer restarts after text reached the AI SDK (a continuation by prefill never
 * restarts). The AI SDK cannot take text back: a step's `text` joins all its text parts. A restart after tool-call
 * input only (a break inside a tool call's arguments) is never an error: the half-written inputs end with
 * `tool-input-end` marked `providerMetadata.keypool.discarded`, and the new answer's tool calls follow.
 * - `error` (default): end with an `error` part (a `StreamInterruptedError` carrying the text sent), never a joined
 *   answer.
 * - `new-text-part`: end the current text part (its `text-end` has `providerMetadata.keypool.discarded: true`, so a
 *   UI can hide it) and stream the new answer as a new text part. The step's `text` then holds both.
 */
export type RestartMapping = 'error' | 'new-text-part';

/** Options of {@link toStreamParts}. */
export interface StreamPartsOptions {
  restarts?: RestartMapping;
  /** The provider name for errors the mapping raises. */
  provider?: string;
}

function categoryOf(reason: string): ErrorCategory {
  return (ERROR_CATEGORIES as readonly string[]).includes(reason)
    ? (reason as ErrorCategory)
    : 'stream_interrupted';
}

/**
 * Turns a unified stream (already started: `first` is its first event) into the AI SDK's stream parts:
 * `stream-start`, `text-start`/`text-delta`/`text-end`, `tool-input-start`/`tool-input-delta`/`tool-input-end`, one
 * `tool-call` per call, `response-metadata` and `finish` with usage and `providerMetadata.keypool`. A failure after
 * the start becomes an `error` part (the partial answer is never reported as finished). A `restart` (a broken answer
 * restarted from the beginning) after text was sent follows `options.restarts` (see {@link RestartMapping}).
 */
export function toStreamParts(
  first: IteratorResult<TargetStreamEvent>,
  events: AsyncIterator<TargetStreamEvent>,
  warnings: SharedV4Warning[],
  options: StreamPartsOptions = {},
): ReadableStream<LanguageModelV4StreamPart> {
  const restarts = options.restarts ?? 'error';
  let textParts = 0;
  let textId = 'text-0';
  let textOpen = false;
  /** True once a text part reached the AI SDK (text it cannot take back). */
  let textSent = false;
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
          // Tool inputs are only previews until their `tool-call`: the half-written ones are ended as discarded.
          for (const id of openTools)
            controller.enqueue({
              type: 'tool-input-end',
              id,
              providerMetadata: { keypool: { discarded: true, reason: event.reason } },
            });
          openTools.clear();
          if (restarts === 'error' && textSent) {
            // The text sent cannot be taken back: end as an interrupted stream, and stop the new answer.
            controller.enqueue({
              type: 'error',
              error: new StreamInterruptedError(
                {
                  category: categoryOf(event.reason),
                  message: `stream interrupted after ${event.discardedText.length} characters: the answer restarted`,
                  provider: options.provider ?? 'keypool',
                },
                event.discardedText,
              ),
            });
            controller.close();
            await events.return?.();
            return;
          }
          if (textOpen)
            controller.enqueue({
              type: 'text-end',
              id: textId,
              providerMetadata: { keypool: { discarded: true, reason: event.reason } },
            });
          textOpen = false;
          textParts++;
          textId = `text-${textParts}`;
        } else if (event.type === 'delta') {
          if (!textOpen) {
            textOpen = true;
            textSent = true;
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
