import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import {
  type ChatRequest,
  type ChatResult,
  type ChatStreamEvent,
  type ChatToolStreamEvent,
  type KeyPool,
  streamChat,
} from '@keypool/core';
import { toChatRequest } from './to-chat-request';
import {
  type TargetResult,
  toContent,
  toFinishReason,
  toProviderMetadata,
  toUsage,
} from './to-language-model-result';
import { type RestartMapping, type TargetStreamEvent, toStreamParts } from './to-stream-parts';

/**
 * Anything that answers unified chat requests: a fallback chain (`createFallbackChain`), or your own wrapper. Its
 * stream may carry tool-call deltas (`ChatToolStreamEvent`) or text only.
 */
export interface ChatTarget {
  chat(request: ChatRequest): Promise<ChatResult>;
  stream(request: ChatRequest): AsyncIterable<ChatStreamEvent | TargetStreamEvent>;
}

/** Options of {@link createKeypoolModel}. */
export interface KeypoolModelOptions {
  /**
   * The model id sent with each request. Required for a pool (it is the provider's model); for a chain each step
   * sends its own model and this is only the name the AI SDK shows (default `keypool-chain`).
   */
  modelId?: string;
  /** The provider name the AI SDK shows (default `keypool.<provider>` for a pool, `keypool.chain` for a chain). */
  provider?: string;
  /**
   * Whether a chain's streamed turn with tools is streamed (default `true`: a chain streams tool-call deltas from steps
   * on core pools). `false` answers such a turn with `chat` and replays it as stream parts, for a chain whose pools
   * stream text only.
   */
  chainStreamsToolCalls?: boolean;
  /**
   * What a stream does when its answer restarts after text was sent (a cut on a model without prefill): `error`
   * (default) ends with an `error` part; `new-text-part` streams the new answer as a new text part and marks the old
   * one `providerMetadata.keypool.discarded` (the step's `text` then joins both). See `RestartMapping`.
   */
  restarts?: RestartMapping;
}

/** A whole answer as a one-event stream (its text and tool calls arrive with `done`). */
async function* replay(result: Promise<ChatResult>): AsyncGenerator<ChatToolStreamEvent, void, undefined> {
  yield { type: 'done', result: await result };
}

function isKeyPool(target: KeyPool<unknown> | ChatTarget): target is KeyPool<unknown> {
  return typeof (target as KeyPool<unknown>).executeStream === 'function' && 'adapter' in target;
}

/**
 * A key pool or a fallback chain as an AI SDK language model (specification v4, the `ai` 7.x spec): use it with
 * `generateText`, `streamText`, `generateObject`, `streamObject`, tools and multi-step calls. Every call rotates keys
 * and falls back across providers as the pool or chain is configured; `providerMetadata.keypool` says which provider,
 * step and key served. Set `maxRetries: 0` in the AI SDK call: the pool is the one retry owner.
 */
export function createKeypoolModel(
  target: KeyPool<unknown> | ChatTarget,
  options: KeypoolModelOptions = {},
): LanguageModelV4 {
  const pool = isKeyPool(target) ? target : undefined;
  if (pool && options.modelId === undefined)
    throw new TypeError('createKeypoolModel(pool): options.modelId is required (the provider model to call)');
  const modelId = options.modelId ?? 'keypool-chain';
  const provider = options.provider ?? (pool ? `keypool.${pool.provider}` : 'keypool.chain');
  const chat = (request: ChatRequest) => (pool ? pool.chat(request) : (target as ChatTarget).chat(request));
  const stream = (request: ChatRequest): AsyncIterable<ChatStreamEvent | TargetStreamEvent> =>
    pool ? streamChat(pool, request) : (target as ChatTarget).stream(request);

  return {
    specificationVersion: 'v4',
    provider,
    modelId,
    // Every URL is passed on as a URL: each provider mapping decides (and errors clearly where it cannot).
    supportedUrls: { 'image/*': [/^https?:\/\/.*/], 'application/pdf': [/^https?:\/\/.*/] },

    async doGenerate(call: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
      const { request, warnings } = toChatRequest(call, modelId);
      const result = (await chat(request)) as TargetResult;
      return {
        content: toContent(result),
        finishReason: toFinishReason(result.finishReason),
        usage: toUsage(result.usage),
        providerMetadata: toProviderMetadata(result),
        request: { body: { model: result.model } },
        response: {
          modelId: result.model,
          timestamp: new Date(),
          ...(result.requestId !== undefined ? { id: result.requestId } : {}),
        },
        warnings,
      };
    },

    async doStream(call: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
      const { request, warnings } = toChatRequest(call, modelId);
      // A chain streams tool calls from steps on core pools; `chainStreamsToolCalls: false` answers a turn that may
      // call tools whole and replays it as stream parts (for chains of other pools, which stream text only).
      const whole = !pool && (request.tools?.length ?? 0) > 0 && options.chainStreamsToolCalls === false;
      const events = (whole ? replay(chat(request)) : stream(request))[Symbol.asyncIterator]();
      // Wait for the first event, so a call that cannot start (every key and step spent) throws here.
      const first = await events.next();
      return {
        stream: toStreamParts(first, events as AsyncIterator<ChatToolStreamEvent>, warnings, {
          ...(options.restarts ? { restarts: options.restarts } : {}),
          provider,
        }),
      };
    },
  };
}
