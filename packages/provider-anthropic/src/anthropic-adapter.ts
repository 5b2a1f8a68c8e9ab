import Anthropic from '@anthropic-ai/sdk';
import {
  type AttemptContext,
  type ChatRequest,
  type ChatResult,
  type ChatStreamPart,
  type ClientHooks,
  estimateRequestTokens,
  type ProviderAdapter,
  withMalformedEventSkipping,
} from '@keypool/core';
import {
  type AnthropicChatOptions,
  DEFAULT_MAX_TOKENS,
  toAnthropicMessageParams,
} from './anthropic-chat-request.ts';
import type { AnthropicClientOptions } from './anthropic-client-options.ts';
import { classifyAnthropicError } from './anthropic-error.ts';
import { createAnthropicFetch } from './anthropic-fetch.ts';
import { parseAnthropicRateLimitHeaders } from './anthropic-rate-limit.ts';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';

/**
 * The SDK's default request timeout. The unified calls always pass a timeout explicitly, because a non-streaming
 * call without one and with a large `max_tokens` throws "Streaming is required" before sending anything.
 */
const DEFAULT_TIMEOUT_MS = 600_000;

/** Options of the Anthropic adapter: how the unified chat builds its requests. */
export type AnthropicAdapterOptions = AnthropicChatOptions;

/** The Anthropic adapter: a `ProviderAdapter` for `@anthropic-ai/sdk`, plus the client of its current key. */
export interface AnthropicAdapter extends ProviderAdapter<Anthropic> {
  readonly provider: 'anthropic';
  /** The client of the key `setApiKey` last set (built lazily, once per key). Throws before any `setApiKey`. */
  readonly client: Anthropic;
}

/**
 * Builds the adapter Keypool uses for `@anthropic-ai/sdk`: one client per key, with the SDK's retries off and the
 * user's base URL, timeout, fetch and headers passed through; the fetch is wrapped to report rate-limit headers and
 * to keep the key out of error answers. `chat`/`stream` are the unified calls over `messages.create`.
 */
export function createAnthropicAdapter(
  clientOptions: AnthropicClientOptions = {},
  options: AnthropicAdapterOptions = {},
): AnthropicAdapter {
  const timeout = clientOptions.timeout ?? DEFAULT_TIMEOUT_MS;
  let currentSecret: string | undefined;
  let currentClient: Anthropic | undefined;

  const createClient = (secret: string, hooks?: ClientHooks): Anthropic =>
    new Anthropic({
      ...stripCredentials(clientOptions),
      apiKey: secret,
      maxRetries: 0,
      fetch: createAnthropicFetch({
        fetch: withMalformedEventSkipping(clientOptions.fetch, hooks?.reportMalformedEvent),
        secret,
        reportRateLimit: hooks?.reportRateLimit,
      }),
    });

  return {
    provider: 'anthropic',
    setApiKey(secret: string): void {
      if (secret === currentSecret) return;
      currentSecret = secret;
      currentClient = undefined;
    },
    get client(): Anthropic {
      if (currentSecret === undefined) throw new Error('@keypool/anthropic: call setApiKey(secret) first');
      currentClient ??= createClient(currentSecret);
      return currentClient;
    },
    createClient,
    classifyError: classifyAnthropicError,
    parseRateLimitHeaders: parseAnthropicRateLimitHeaders,

    async chat(client: Anthropic, request: ChatRequest, context: AttemptContext) {
      const params = toAnthropicMessageParams(request, options);
      const { data, request_id } = await client.messages
        .create(params, { signal: context.signal, timeout })
        .withResponse();
      let text = '';
      for (const block of data.content) if (block.type === 'text') text += block.text;
      const inputTokens = data.usage.input_tokens;
      const outputTokens = data.usage.output_tokens;
      const result: Omit<ChatResult, 'keyId' | 'provider'> = {
        text,
        finishReason: mapAnthropicFinishReason(data.stop_reason),
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        model: data.model,
      };
      const requestId = request_id ?? data.id;
      if (requestId) result.requestId = requestId;
      return result;
    },

    async *stream(client: Anthropic, request: ChatRequest, context: AttemptContext) {
      const params = { ...toAnthropicMessageParams(request, options), stream: true as const };
      const { data: events, request_id } = await client.messages
        .create(params, { signal: context.signal, timeout })
        .withResponse();
      let model: string | undefined;
      let messageId: string | undefined;
      let inputTokens = 0;
      let outputTokens = 0;
      let stopReason: string | null = null;
      for await (const event of events) {
        switch (event.type) {
          case 'message_start':
            model = event.message.model;
            messageId = event.message.id;
            inputTokens = event.message.usage.input_tokens;
            outputTokens = event.message.usage.output_tokens;
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta' && event.delta.text !== '')
              yield { type: 'delta', text: event.delta.text } satisfies ChatStreamPart;
            break;
          case 'message_delta':
            stopReason = event.delta.stop_reason;
            outputTokens = event.usage.output_tokens;
            if (typeof event.usage.input_tokens === 'number') inputTokens = event.usage.input_tokens;
            break;
          case 'message_stop': {
            const requestId = request_id ?? messageId;
            yield {
              type: 'done',
              finishReason: mapAnthropicFinishReason(stopReason),
              usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
              ...(model ? { model } : {}),
              ...(requestId ? { requestId } : {}),
            } satisfies ChatStreamPart;
            return;
          }
        }
      }
      // No message_stop: the engine treats a stream without its `done` part as interrupted.
    },

    estimateTokens(request: ChatRequest): number {
      return estimateRequestTokens({
        ...request,
        maxTokens: request.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
      });
    },
  };
}

/** Drops credential options a JavaScript caller may still pass: every client gets its own pool key. */
function stripCredentials(clientOptions: AnthropicClientOptions): AnthropicClientOptions {
  const {
    apiKey: _apiKey,
    authToken: _authToken,
    credentials: _credentials,
    config: _config,
    profile: _profile,
    maxRetries: _maxRetries,
    ...rest
  } = clientOptions as AnthropicClientOptions & Record<string, unknown>;
  return rest;
}
