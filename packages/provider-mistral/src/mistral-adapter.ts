import {
  type AttemptContext,
  type ChatRequest,
  type ChatResult,
  type ChatStreamPart,
  IncompleteAnswerError,
  type ProviderAdapter,
} from '@keypool/core';
import type { Mistral } from '@mistralai/mistralai';
import type { UsageInfo } from '@mistralai/mistralai/models/components';
import { mapMistralFinishReason } from './map-mistral-finish-reason';
import { toChatUsage, toMistralChatRequest } from './mistral-chat';
import { createMistralClient, type MistralClientOptions } from './mistral-client';
import { mistralContentText } from './mistral-content-text';
import { classifyMistralError } from './mistral-error';
import { parseMistralRateLimitHeaders } from './mistral-rate-limit';
import { withAttemptSignal } from './mistral-request-options';

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
    classifyError: classifyMistralError,
    parseRateLimitHeaders: (headers) => parseMistralRateLimitHeaders(headers),

    async chat(
      client: Mistral,
      request: ChatRequest,
      context: AttemptContext,
    ): Promise<Omit<ChatResult, 'keyId' | 'provider'>> {
      const response = await client.chat.complete(
        toMistralChatRequest(request),
        withAttemptSignal(undefined, context.signal, options.timeoutMs),
      );
      const choice = response.choices?.[0];
      // The SDK validates the body, but an empty `choices` passes: a 200 without an answer is the server's failure.
      if (!choice) throw new IncompleteAnswerError('mistral', 'no choices');
      if (!choice.finishReason) throw new IncompleteAnswerError('mistral', 'no finish_reason');
      return {
        text: mistralContentText(choice.message?.content),
        finishReason: mapMistralFinishReason(choice.finishReason),
        usage: toChatUsage(response.usage),
        model: response.model || request.model,
        ...(response.id ? { requestId: response.id } : {}),
      };
    },

    async *stream(
      client: Mistral,
      request: ChatRequest,
      context: AttemptContext,
    ): AsyncIterable<ChatStreamPart> {
      const stream = await client.chat.stream(
        toMistralChatRequest(request),
        withAttemptSignal(undefined, context.signal, options.timeoutMs),
      );
      let finishReason: string | undefined;
      let usage: UsageInfo | undefined;
      let model: string | undefined;
      let id: string | undefined;
      for await (const event of stream) {
        const chunk = event.data;
        if (chunk.model) model = chunk.model;
        if (chunk.id) id = chunk.id;
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices.find((candidate) => candidate.index === 0) ?? chunk.choices[0];
        if (!choice) continue;
        const text = mistralContentText(choice.delta.content);
        if (text !== '') yield { type: 'delta', text };
        if (choice.finishReason) finishReason = choice.finishReason;
      }
      // No finish reason: the answer did not end, so no `done` (the engine reports the stream as interrupted).
      if (finishReason === undefined) return;
      yield {
        type: 'done',
        finishReason: mapMistralFinishReason(finishReason),
        usage: toChatUsage(usage),
        model: model ?? request.model,
        ...(id ? { requestId: id } : {}),
      };
    },
  };
}
