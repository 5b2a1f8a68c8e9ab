import {
  createProviderPool,
  type KeyPoolOptions,
  type PoolClientOptions,
  type ProviderName,
  type ProviderPool,
} from '@keypool/core';
import type OpenAI from 'openai';
import { createOpenAIAdapter, createOpenAITemplateClient, type OpenAIClientOptions } from './openai-adapter';
import { OPENAI_ROUTES } from './openai-routes';
import { routeOpenAIHelpers } from './route-openai-helpers';

/** Options of `createOpenAIPool`: the key pool's options (without `adapter`) plus the clients' and routed calls'. */
export interface OpenAIPoolOptions extends Omit<KeyPoolOptions<OpenAI>, 'adapter'> {
  /** Options of every `OpenAI` client (base URL, timeout, fetch, headers...); the key and retries come from the pool. */
  clientOptions?: OpenAIClientOptions;
  /** Per-call options applied to every call made through `pool.client` (deadline, attempt timeout...). */
  callOptions?: PoolClientOptions['callOptions'];
  /** Stream options applied to every stream opened through `pool.client` (idle and first-chunk timeouts). */
  streamOptions?: PoolClientOptions['streamOptions'];
  /** The provider label in events, snapshots and errors (default `openai`); presets set their own, e.g. `groq`. */
  provider?: ProviderName;
}

/**
 * A key pool over `openai` clients, with `client`: a drop-in `OpenAI` whose calls to the model go through the pool.
 * Use `client` as your `OpenAI` client: `chat.completions.create`, `responses.create`, `embeddings.create`,
 * `completions.create` (plain and `stream: true`) and the `parse` helpers run on a key picked by the pool, with
 * rotation, cooldowns and limits. Other methods pass through to a client that holds no key.
 */
export type OpenAIPool = ProviderPool<OpenAI>;

/**
 * Creates a key pool for OpenAI. Existing code keeps its calls and changes only how the client is built:
 * `const { client } = createOpenAIPool({ keys })` then `client.chat.completions.create(...)`.
 */
export function createOpenAIPool(options: OpenAIPoolOptions): OpenAIPool {
  const { clientOptions, callOptions, streamOptions, provider, ...poolOptions } = options;
  return createProviderPool<OpenAI>({
    pool: { ...poolOptions, adapter: createOpenAIAdapter(clientOptions, provider) },
    template: () => createOpenAITemplateClient(clientOptions),
    routes: OPENAI_ROUTES,
    clientOptions: { callOptions, streamOptions },
    afterClient: (client, template) => {
      routeOpenAIHelpers(template, client);
      return client;
    },
  });
}
