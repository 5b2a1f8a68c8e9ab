import type Anthropic from '@anthropic-ai/sdk';
import {
  createProviderPool,
  type KeyPoolOptions,
  type PoolClientOptions,
  type ProviderPool,
  type RateLimitWordingTable,
  routeClientRequests,
  type WithApiKey,
  withWording,
} from '@keypool/core';
import { type AnthropicAdapterOptions, createAnthropicAdapter } from './anthropic-adapter.ts';
import { anthropicClientErrors } from './anthropic-client-errors.ts';
import type { AnthropicClientOptions } from './anthropic-client-options.ts';
import { classifyAnthropicError } from './anthropic-error.ts';
import { anthropicUsageOf, estimateAnthropicRequestTokens } from './anthropic-request-tokens.ts';
import { ANTHROPIC_STREAM_CONTINUATION } from './anthropic-stream-continuation';

/**
 * The key the template client behind `pool.client` is built with. It is never a real key and never sent: every
 * request of `pool.client` runs on a client of one of the pool's keys.
 */
export const ANTHROPIC_PLACEHOLDER_KEY = 'sk-ant-keypool-placeholder-not-a-real-key';

/** Options of `createAnthropicPool`: the pool's options (keys, strategy, policy, limits...) and the SDK's. */
export interface AnthropicPoolOptions extends Omit<KeyPoolOptions<Anthropic>, 'adapter'> {
  /**
   * The rate-limit wording table this pool's errors are classified with (default: the provider's own, e.g.
   * `ANTHROPIC_RATE_LIMIT_WORDING`): which 400/403/503 answers are really a rate limit or a spent quota, by code, then
   * wording. Build one with `extendRateLimitWording(ANTHROPIC_RATE_LIMIT_WORDING, { rules: [...] })`.
   */
  rateLimitWording?: RateLimitWordingTable;
  /** Options of every per-key client: base URL, timeout, fetch, headers... (never a key; retries always off). */
  clientOptions?: AnthropicClientOptions;
  /** How the unified `chat`/`stream` build their requests (default `max_tokens`, temperature opt-in). */
  chatOptions?: AnthropicAdapterOptions;
  /**
   * Options of every `pool.client` request: `callOptions` (deadline, attempt timeout, attempt budget) and
   * `streamOptions.idleTimeoutMs` (default: the pool's `streamIdleTimeoutMs`), after which a stream that stalls past
   * its first event fails with the SDK's `APIConnectionTimeoutError`, and `streamOptions.firstChunkTimeoutMs` (each
   * attempt's wait for the first event, default the attempt timeout).
   */
  routing?: PoolClientOptions;
}

/**
 * A key pool over `@anthropic-ai/sdk`, with `client`: the SDK's own client whose every request runs through the
 * pool. `messages.create` (plain and streaming), `messages.stream()`, `parse`, `countTokens`, `models`, batches,
 * files and the `beta` twins rotate over the pool's keys and return the SDK's own promises, streams and errors.
 */
export type AnthropicPool = ProviderPool<Anthropic>;

/** Options of `pool.client.withOptions()` the pool owns: the credentials, and the fetch that scrubs them. */
const OWNED_OPTIONS = ['apiKey', 'authToken', 'credentials', 'fetch', 'profile', 'config'] as const;

/**
 * Builds a key pool for Anthropic. Existing code keeps its calls and only changes how the client is built:
 * `const { client } = createAnthropicPool({ keys })` then `client.messages.create(...)` as before. The pool itself
 * offers `run((client, key) => ...)`, the unified `chat`/`stream`, events, `snapshot()` and key administration.
 */
export function createAnthropicPool(options: WithApiKey<AnthropicPoolOptions>): AnthropicPool {
  const { clientOptions, chatOptions, routing, rateLimitWording, ...poolOptions } = options;
  const adapter = withWording(
    createAnthropicAdapter(clientOptions, chatOptions),
    rateLimitWording,
    classifyAnthropicError,
  );
  const streamIdleTimeoutMs = routing?.streamOptions?.idleTimeoutMs ?? poolOptions.streamIdleTimeoutMs;
  return createProviderPool<Anthropic>({
    pool: { ...poolOptions, adapter },
    template: (pool) =>
      routeClientRequests(pool, adapter.createClient(ANTHROPIC_PLACEHOLDER_KEY), {
        errors: anthropicClientErrors,
        secretOf: (client) => (typeof client.apiKey === 'string' ? client.apiKey : undefined),
        estimateTokens: estimateAnthropicRequestTokens,
        usageOf: anthropicUsageOf,
        ownedOptions: OWNED_OPTIONS,
        streamContinuation: ANTHROPIC_STREAM_CONTINUATION,
        ...(routing?.callOptions ? { callOptions: routing.callOptions } : {}),
        ...(streamIdleTimeoutMs !== undefined ? { streamIdleTimeoutMs } : {}),
        ...(poolOptions.maxAttempts !== undefined ? { poolMaxAttempts: poolOptions.maxAttempts } : {}),
        ...(routing?.streamOptions?.firstChunkTimeoutMs !== undefined
          ? { streamFirstEventTimeoutMs: routing.streamOptions.firstChunkTimeoutMs }
          : {}),
      }),
    routes: [],
    // The template itself is the routed client: every request it makes already goes through the pool.
    afterClient: (_proxy, template) => template,
  });
}
