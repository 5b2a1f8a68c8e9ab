import type Anthropic from '@anthropic-ai/sdk';
import { APIUserAbortError } from '@anthropic-ai/sdk';
import { BetaMessageStream } from '@anthropic-ai/sdk/lib/BetaMessageStream';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import { type AttemptKey, type KeyPool, type PoolClientOptions, ProviderError } from '@keypool/core';
import {
  estimateMessageTokens,
  isMessageStop,
  streamEventText,
  withAttemptSignal,
} from './anthropic-routes.ts';

type StreamEvent = Anthropic.RawMessageStreamEvent;
type Resource = 'messages' | 'beta.messages';

/**
 * Routes `messages.stream()` and `beta.messages.stream()` through the pool. The SDK helper returns a `MessageStream`
 * synchronously and drives it from `messages.create({ stream: true }).withResponse()`; here it is driven by a pooled
 * streaming call instead, which rotates keys on any error before the first event and raises a
 * `StreamInterruptedError` (through the stream's `error` event, `finalMessage()` and iteration, wrapped by the SDK in
 * an `AnthropicError` whose `cause` it is) after it. The `MessageStream` API (events, `finalMessage()`,
 * `withResponse()`, `abort()`) is the SDK's own.
 *
 * The two methods are installed as own properties of `template`'s resources (the pool's private placeholder client),
 * so that `createPoolClient` passes them through without another proxy layer on every call.
 */
export function routeMessageStreams(
  template: Anthropic,
  pool: KeyPool<Anthropic>,
  options: PoolClientOptions = {},
): void {
  const open = (resource: Resource) => (params: Anthropic.MessageStreamParams, requestOptions?: object) => {
    const facade = {
      create: (body: Anthropic.MessageCreateParamsStreaming, createOptions?: { signal?: AbortSignal }) => ({
        withResponse: () => openPooledStream(pool, resource, body, createOptions, options),
      }),
    };
    const helperOptions = { logger: template.logger, client: template };
    return resource === 'messages'
      ? MessageStream.createMessage(facade as never, params as never, requestOptions, helperOptions)
      : BetaMessageStream.createMessage(facade as never, params as never, requestOptions, helperOptions);
  };
  Object.defineProperty(template.messages, 'stream', { value: open('messages'), configurable: true });
  Object.defineProperty(template.beta.messages, 'stream', {
    value: open('beta.messages'),
    configurable: true,
  });
}

interface PooledStream extends AsyncIterable<StreamEvent> {
  readonly controller: AbortController;
}

async function openPooledStream(
  pool: KeyPool<Anthropic>,
  resource: Resource,
  body: Anthropic.MessageCreateParamsStreaming,
  requestOptions: { signal?: AbortSignal } | undefined,
  options: PoolClientOptions,
): Promise<{ data: PooledStream; response: Response | undefined; request_id: string | null | undefined }> {
  const controller = new AbortController();
  const userSignal = requestOptions?.signal;
  const signal = userSignal ? AbortSignal.any([userSignal, controller.signal]) : controller.signal;
  let response: Response | undefined;
  let requestId: string | null | undefined;
  const generator = pool.executeStream<StreamEvent>(
    async (client: Anthropic, key: AttemptKey) => {
      const messages = resource === 'messages' ? client.messages : client.beta.messages;
      const [params, attemptOptions] = withAttemptSignal(
        [{ ...body, stream: true }, requestOptions],
        key.signal,
      );
      const answer = await (
        messages.create as (...args: unknown[]) => ReturnType<Anthropic['messages']['create']>
      )(params, attemptOptions).withResponse();
      response = answer.response;
      requestId = answer.request_id;
      return answer.data as AsyncIterable<StreamEvent>;
    },
    {
      ...options.callOptions,
      ...options.streamOptions,
      signal,
      estimatedTokens: estimateMessageTokens(body),
      textOf: streamEventText,
      usageOf: (event) =>
        event.type === 'message_start'
          ? event.message.usage.input_tokens + event.message.usage.output_tokens
          : event.type === 'message_delta'
            ? (event.usage.input_tokens ?? 0) + event.usage.output_tokens
            : undefined,
      isTerminal: isMessageStop,
    },
  );
  // Wait for the first event, so that every failure before it rotates keys and surfaces as a connection error.
  const first = await generator.next().catch(rethrowForMessageStream);
  let delivered = false;
  const data: PooledStream = {
    controller,
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (!delivered) {
          delivered = true;
          return first;
        }
        return generator.next().catch(rethrowForMessageStream);
      },
      return: async () => {
        await generator.return(undefined);
        return { done: true, value: undefined };
      },
    }),
  };
  return { data, response, request_id: requestId };
}

/**
 * A `MessageStream` reports the caller's abort as an `abort` event with `APIUserAbortError`, and wraps any other
 * error that is not the SDK's in an `AnthropicError` whose `cause` is the original (here the Keypool error).
 */
function rethrowForMessageStream(error: unknown): never {
  if (ProviderError.isInstance(error) && error.category === 'aborted')
    throw Object.assign(new APIUserAbortError(), { cause: error });
  throw error;
}
