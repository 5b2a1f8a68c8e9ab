import type { ServerResponse } from 'node:http';
import { type ChatRequest, type ChatResult, type KeyPool, KeypoolError } from '@keypool/core';
import type { FallbackChain } from '@keypool/fallback';
import { AnthropicEventWriter, anthropicStreamError, chatResultToAnthropic } from './anthropic-wire';
import type { ApiDialect } from './api-error';
import { sendError, sendJson, startEventStream, writeChunk } from './http-io';
import type { CallOutcome } from './native-call';
import { chatResultToOpenAI, OpenAIChunkWriter, openAIStreamError } from './openai-wire';

/** A call served in the unified format: a fallback chain, or a pool of another provider than the client's API. */
export type UnifiedTarget = { kind: 'chain'; chain: FallbackChain } | { kind: 'pool'; pool: KeyPool };

/** What a unified call needs: where to answer, in which API's shape, and the model name the client used. */
export interface UnifiedCallContext {
  response: ServerResponse;
  dialect: ApiDialect;
  /** The model name as the client sent it (answers are labelled with it). */
  clientModel: string;
  stream: boolean;
  /** OpenAI streams: send the final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/** The answer broke after text reached the client and could only restart, which the client's API cannot show. */
class StreamRestartedError extends Error {
  constructor(sentChars: number) {
    super(
      `stream interrupted after ${sentChars} characters: the answer could only be restarted, which this API cannot show`,
    );
    this.name = 'StreamRestartedError';
  }
}

function servedHeaders(result: ChatResult & { served?: { name: string } }): Record<string, string> {
  return {
    'x-keypool-key-id': result.keyId,
    'x-keypool-served-by': result.served?.name ?? `${result.provider}:${result.model}`,
  };
}

/**
 * Runs a unified chat call on a chain or pool and answers in the client's API. Streams are written event by event as
 * the deltas arrive; a chain fails over to its next step only before the first delta reached the client.
 */
export async function unifiedCall(
  target: UnifiedTarget,
  request: ChatRequest,
  context: UnifiedCallContext,
): Promise<CallOutcome> {
  const { response, dialect, clientModel } = context;
  if (!context.stream) {
    const result =
      target.kind === 'chain' ? await target.chain.chat(request) : await target.pool.chat(request);
    const body =
      dialect === 'anthropic'
        ? chatResultToAnthropic(result, clientModel)
        : chatResultToOpenAI(result, clientModel);
    sendJson(response, 200, body, servedHeaders(result));
    return { status: 200, keyId: result.keyId, tokens: result.usage.totalTokens };
  }
  const writer =
    dialect === 'anthropic'
      ? new AnthropicEventWriter(clientModel)
      : new OpenAIChunkWriter(clientModel, context.includeUsage);
  const events = target.kind === 'chain' ? target.chain.stream(request) : target.pool.stream(request);
  try {
    for await (const event of events) {
      if (event.type === 'delta') {
        if (!response.headersSent) startEventStream(response);
        await writeChunk(response, writer.delta(event.text));
      } else if (event.type === 'restart') {
        // A broken answer continued by prefill goes on seamlessly; a restart cannot be shown in these APIs (the client
        // keeps what it received), so the stream ends with the API's error event rather than repeat the answer.
        throw new StreamRestartedError(event.discardedText.length);
      } else if (event.type === 'done') {
        if (!response.headersSent) startEventStream(response);
        await writeChunk(response, writer.done(event.result));
        response.end();
        return { status: 200, keyId: event.result.keyId, tokens: event.result.usage.totalTokens };
      }
      if (request.signal?.aborted) break;
    }
    if (request.signal?.aborted) {
      response.destroy();
      return { status: 499 };
    }
    // The chain ended without its final event: say so in the stream rather than end it as if it were complete.
    throw new Error('the stream ended without its final event');
  } catch (error) {
    if (request.signal?.aborted) {
      response.destroy();
      return { status: 499, error };
    }
    if (!response.headersSent) return { status: sendError(response, dialect, error), error };
    const message =
      KeypoolError.isInstance(error) || error instanceof StreamRestartedError
        ? error.message
        : 'the stream failed';
    response.end(
      dialect === 'anthropic'
        ? anthropicStreamError(message)
        : openAIStreamError(message, 'stream_interrupted'),
    );
    return { status: 200, error };
  }
}
