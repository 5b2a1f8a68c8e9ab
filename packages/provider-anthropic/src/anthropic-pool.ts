import type Anthropic from '@anthropic-ai/sdk';
import {
  createProviderPool,
  type KeyPoolOptions,
  type PoolClientOptions,
  type ProviderPool,
} from '@keypool/core';
import { type AnthropicAdapterOptions, createAnthropicAdapter } from './anthropic-adapter.ts';
import type { AnthropicClientOptions } from './anthropic-client-options.ts';
import { anthropicRoutes } from './anthropic-routes.ts';
import { routeMessageStreams } from './route-message-streams.ts';

/**
 * The key the template client is built with. It is never a real key and never sent by a routed call; a method that is
 * not routed (e.g. `models.list`) passes through to the template and would be refused with it: call such methods
 * with a pool key through `pool.run((client) => client.models.list())`.
 */
export const ANTHROPIC_PLACEHOLDER_KEY = 'sk-ant-keypool-placeholder-not-a-real-key';

/** Options of `createAnthropicPool`: the pool's options (keys, strategy, policy, limits...) and the SDK's. */
export interface AnthropicPoolOptions extends Omit<KeyPoolOptions<Anthropic>, 'adapter'> {
  /** Options of every per-key client: base URL, timeout, fetch, headers... (never a key; retries always off). */
  clientOptions?: AnthropicClientOptions;
  /** How the unified `chat`/`stream` build their requests (default `max_tokens`, temperature opt-in). */
  chatOptions?: AnthropicAdapterOptions;
  /** Per-call options of every routed native call (deadline, attempt timeout, stream idle timeouts). */
  routing?: PoolClientOptions;
}

/**
 * A key pool over `@anthropic-ai/sdk`, with `client`: the SDK client whose model calls run through the pool. `client`
 * is a drop-in `Anthropic` client: `messages.create` (plain and `stream: true`), `messages.stream`, `messages.parse`,
 * `messages.countTokens` and their `beta.messages` twins rotate over the pool's keys; everything else passes through
 * untouched.
 */
export type AnthropicPool = ProviderPool<Anthropic>;

/**
 * Builds a key pool for Anthropic. Existing code keeps its calls and only changes how the client is built:
 * `const { client } = createAnthropicPool({ keys })` then `client.messages.create(...)` as before. The pool itself
 * offers `run((client, key) => ...)`, the unified `chat`/`stream`, events, `snapshot()` and key administration.
 */
export function createAnthropicPool(options: AnthropicPoolOptions): AnthropicPool {
  const { clientOptions, chatOptions, routing, ...poolOptions } = options;
  const adapter = createAnthropicAdapter(clientOptions, chatOptions);
  return createProviderPool<Anthropic>({
    pool: { ...poolOptions, adapter },
    template: (pool) => {
      const template = adapter.createClient(ANTHROPIC_PLACEHOLDER_KEY);
      routeMessageStreams(template, pool, routing);
      return template;
    },
    routes: anthropicRoutes(),
    clientOptions: routing,
  });
}
