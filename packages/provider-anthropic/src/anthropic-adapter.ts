import Anthropic from '@anthropic-ai/sdk';
import {
  type AttemptContext,
  type ChatRequest,
  type ClientHooks,
  estimateRequestTokens,
  type ProviderAdapter,
  withMalformedEventSkipping,
  withoutToolCallDeltas,
} from '@keypool/core';
import { type AnthropicCallSettings, anthropicChat, anthropicStreamWithTools } from './anthropic-chat.ts';
import {
  type AnthropicChatOptions,
  DEFAULT_MAX_TOKENS,
  toAnthropicMessageParams,
} from './anthropic-chat-request.ts';
import type { AnthropicClientOptions } from './anthropic-client-options.ts';
import { classifyAnthropicError } from './anthropic-error.ts';
import { createAnthropicFetch } from './anthropic-fetch.ts';
import { anthropicModelScope } from './anthropic-model-scope.ts';
import { parseAnthropicRateLimitHeaders } from './anthropic-rate-limit.ts';

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

/** A logger that drops everything: the SDK's messages never reach the console. */
const SILENT_LOGGER = { error() {}, warn() {}, info() {}, debug() {} };

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
  const settings: AnthropicCallSettings = { ...options, timeout };
  let currentSecret: string | undefined;
  let currentClient: Anthropic | undefined;

  const createClient = (secret: string, hooks?: ClientHooks): Anthropic =>
    new Anthropic({
      ...stripCredentials(clientOptions),
      // The SDK logs to the console by default (e.g. "Could not parse message into JSON" and the raw chunk on a
      // malformed stream); a library never writes there, so its logger is silent unless the user gives one.
      logger: clientOptions.logger ?? SILENT_LOGGER,
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
    modelScope: anthropicModelScope,
    classifyError: (error: unknown) => classifyAnthropicError(error),
    parseRateLimitHeaders: parseAnthropicRateLimitHeaders,

    chat: (client: Anthropic, request: ChatRequest, context: AttemptContext) =>
      anthropicChat(client, request, context, settings),
    stream: (client: Anthropic, request: ChatRequest, context: AttemptContext) =>
      withoutToolCallDeltas(anthropicStreamWithTools(client, request, context, settings)),
    streamWithTools: (client: Anthropic, request: ChatRequest, context: AttemptContext) =>
      anthropicStreamWithTools(client, request, context, settings),
    validateRequest(request: ChatRequest): void {
      toAnthropicMessageParams(request, options);
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
