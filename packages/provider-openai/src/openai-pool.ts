import {
  createProviderPool,
  type KeyPoolOptions,
  type PoolClientOptions,
  type ProviderName,
  type ProviderPool,
  type RateLimitWordingTable,
  routeClientRequests,
  type WithApiKey,
  withWording,
} from '@keypool/core';
import type OpenAI from 'openai';
import {
  createOpenAIAdapter,
  createOpenAITemplateClient,
  type OpenAIClientOptions,
  type OpenAIConstructor,
} from './openai-adapter';
import { openAIClientErrors } from './openai-client-errors';
import { classifyOpenAIError } from './openai-error';
import { estimateOpenAIRequestTokens, openAIUsageOf } from './openai-request-tokens';
import { OPENAI_STREAM_CONTINUATION } from './openai-stream-continuation';
import { type RateLimitHeadersOption, resolveRateLimitDialect } from './rate-limit-dialect';

/** Options of `createOpenAIPool`: the key pool's options (without `adapter`) plus the clients' and routed calls'. */
export interface OpenAIPoolOptions extends Omit<KeyPoolOptions<OpenAI>, 'adapter'> {
  /**
   * The rate-limit wording table this pool's errors are classified with (default: the provider's own, e.g.
   * `OPENAI_RATE_LIMIT_WORDING`): which 400/403/503 answers are really a rate limit or a spent quota, by code, then
   * wording. Build one with `extendRateLimitWording(OPENAI_RATE_LIMIT_WORDING, { rules: [...] })`.
   */
  rateLimitWording?: RateLimitWordingTable;
  /** Options of every `OpenAI` client (base URL, timeout, fetch, headers...); the key and retries come from the pool. */
  clientOptions?: OpenAIClientOptions;
  /** Per-call options applied to every call made through `pool.client` (deadline, attempt timeout...). */
  callOptions?: PoolClientOptions['callOptions'];
  /**
   * Stream options of `pool.client`: `idleTimeoutMs` (default: the pool's `streamIdleTimeoutMs`) fails a stream that
   * stalls after its first event with the SDK's `APIConnectionTimeoutError`; `firstChunkTimeoutMs` (default: the
   * attempt timeout) bounds each attempt's wait for the first event (then the timeout policy applies).
   */
  streamOptions?: PoolClientOptions['streamOptions'];
  /** The provider label in events, snapshots and errors (default `openai`); presets set their own, e.g. `groq`. */
  provider?: ProviderName;
  /**
   * How answers' rate-limit headers are read (default `openai`): a dialect name (`groq`, `cerebras`, `openrouter`,
   * `together`; see `RATE_LIMIT_DIALECTS`) or your own `(headers, now) => RateLimitInfo | undefined`. Presets set it.
   */
  rateLimitHeaders?: RateLimitHeadersOption;
}

/**
 * A key pool over `openai` clients, with `client`: a drop-in `OpenAI` whose every request goes through the pool.
 * `client` is the SDK's own client: every method that reaches the network (chat, responses, embeddings, models,
 * files, batches, the stream and tool helpers...) runs on a key picked by the pool, with rotation, cooldowns and
 * limits, and returns the SDK's own promises, streams and errors (with a `keypool` view attached to errors).
 */
export type OpenAIPool = ProviderPool<OpenAI>;

/** Options of `pool.client.withOptions()` the pool owns: the key (and the fetch that scrubs it from errors). */
const OWNED_OPTIONS = ['apiKey', 'fetch', 'adminAPIKey', 'workloadIdentity'] as const;

/**
 * Creates a key pool for OpenAI. Existing code keeps its calls and changes only how the client is built:
 * `const { client } = createOpenAIPool({ keys })` then `client.chat.completions.create(...)`.
 */
export function createOpenAIPool(options: WithApiKey<OpenAIPoolOptions>): OpenAIPool {
  return buildOpenAIPool(options);
}

/** `createOpenAIPool` with the client constructor as a parameter (the Azure preset passes `AzureOpenAI`'s). */
export function buildOpenAIPool(
  options: WithApiKey<OpenAIPoolOptions>,
  construct?: OpenAIConstructor,
): OpenAIPool {
  const {
    clientOptions,
    callOptions,
    streamOptions,
    provider,
    rateLimitWording,
    rateLimitHeaders,
    ...poolOptions
  } = options;
  const rateLimitDialect = resolveRateLimitDialect(rateLimitHeaders);
  const streamIdleTimeoutMs = streamOptions?.idleTimeoutMs ?? poolOptions.streamIdleTimeoutMs;
  return createProviderPool<OpenAI>({
    pool: {
      ...poolOptions,
      adapter: withWording(
        createOpenAIAdapter(clientOptions, provider, construct, rateLimitDialect),
        rateLimitWording,
        (error, table) => classifyOpenAIError(error, Date.now(), table, rateLimitDialect),
      ),
    },
    template: (pool) =>
      routeClientRequests(pool, createOpenAITemplateClient(clientOptions, construct), {
        errors: openAIClientErrors,
        secretOf: (client) => (typeof client.apiKey === 'string' ? client.apiKey : undefined),
        estimateTokens: estimateOpenAIRequestTokens,
        usageOf: openAIUsageOf,
        ownedOptions: OWNED_OPTIONS,
        streamContinuation: OPENAI_STREAM_CONTINUATION,
        ...(callOptions ? { callOptions } : {}),
        ...(streamIdleTimeoutMs !== undefined ? { streamIdleTimeoutMs } : {}),
        ...(poolOptions.maxAttempts !== undefined ? { poolMaxAttempts: poolOptions.maxAttempts } : {}),
        ...(streamOptions?.firstChunkTimeoutMs !== undefined
          ? { streamFirstEventTimeoutMs: streamOptions.firstChunkTimeoutMs }
          : {}),
      }),
    routes: [],
    // The template itself is the routed client: every request it makes already goes through the pool.
    afterClient: (_proxy, template) => template,
  });
}
