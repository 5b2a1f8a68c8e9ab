import {
  type AttemptContext,
  type ChatRequest,
  type ProviderAdapter,
  withoutToolCallDeltas,
} from '@keypool/core';
import type { Mistral } from '@mistralai/mistralai';
import { toMistralChatRequest } from './mistral-chat';
import { mistralChat, mistralStreamWithTools } from './mistral-chat-calls';
import { createMistralClient, type MistralClientOptions } from './mistral-client';
import { classifyMistralError } from './mistral-error';
import { parseMistralRateLimitHeaders } from './mistral-rate-limit';

/** The Mistral adapter: the engine's contract, plus the client of the key set with `setApiKey`. */
export interface MistralAdapter extends ProviderAdapter<Mistral> {
  /** The client of the current key (see `setApiKey`), built on first use and kept per key. */
  readonly client: Mistral;
  /** The options every client of this adapter is built with. */
  readonly clientOptions: Readonly<MistralClientOptions>;
}

/**
 * Creates the adapter between the engine and `@mistralai/mistralai`: one client per key (retries off, your server
 * URL, timeout, HTTP client or fetch and headers kept, rate-limit headers reported), the error mapper, and the unified
 * chat and stream over `chat.complete` / `chat.stream`.
 */
export function createMistralAdapter(clientOptions: MistralClientOptions = {}): MistralAdapter {
  const options = { ...clientOptions };
  const clients = new Map<string, Mistral>();
  let current: string | undefined;

  return {
    provider: 'mistral',
    clientOptions: options,
    setApiKey(secret: string): void {
      current = secret;
    },
    get client(): Mistral {
      if (current === undefined) throw new TypeError('call setApiKey(secret) before reading adapter.client');
      let client = clients.get(current);
      if (!client) {
        client = createMistralClient(current, options);
        clients.set(current, client);
      }
      return client;
    },
    createClient: (secret, hooks) => createMistralClient(secret, options, hooks),
    classifyError: (error: unknown) => classifyMistralError(error),
    parseRateLimitHeaders: (headers) => parseMistralRateLimitHeaders(headers),

    chat: (client: Mistral, request: ChatRequest, context: AttemptContext) =>
      mistralChat(client, request, context, options.timeoutMs),
    stream: (client: Mistral, request: ChatRequest, context: AttemptContext) =>
      withoutToolCallDeltas(mistralStreamWithTools(client, request, context, options.timeoutMs)),
    streamWithTools: (client: Mistral, request: ChatRequest, context: AttemptContext) =>
      mistralStreamWithTools(client, request, context, options.timeoutMs),
    validateRequest(request: ChatRequest): void {
      toMistralChatRequest(request);
    },
  };
}
