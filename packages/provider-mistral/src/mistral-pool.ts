import {
  createProviderPool,
  type KeyPoolOptions,
  type PoolClientOptions,
  type ProviderPool,
  type RateLimitWordingTable,
  type WithApiKey,
  withWording,
} from '@keypool/core';
import type { Mistral } from '@mistralai/mistralai';
import { createMistralAdapter } from './mistral-adapter';
import { createMistralTemplateClient, type MistralClientOptions } from './mistral-client';
import { mistralClientErrors } from './mistral-client-errors';
import { classifyMistralError } from './mistral-error';
import { mistralRouteSet } from './mistral-routes';

/**
 * The `Mistral` resources whose methods reach the network: a method not in the routes table (model listing, files,
 * batch jobs, workflows...) runs through the pool too, with rotation and no limits of its own.
 */
const ROUTED_RESOURCES = [
  'models',
  'files',
  'batch',
  'beta',
  'audio',
  'agents',
  'chat',
  'fim',
  'embeddings',
  'classifiers',
  'ocr',
  'workflows',
] as const;

/** Options of `createMistralPool`: the key pool's options (without the adapter) plus the clients' options. */
export interface MistralPoolOptions extends Omit<KeyPoolOptions<Mistral>, 'adapter'> {
  /**
   * The rate-limit wording table this pool's errors are classified with (default: the provider's own, e.g.
   * `MISTRAL_RATE_LIMIT_WORDING`): which 400/403/503 answers are really a rate limit or a spent quota, by code, then
   * wording. Build one with `extendRateLimitWording(MISTRAL_RATE_LIMIT_WORDING, { rules: [...] })`.
   */
  rateLimitWording?: RateLimitWordingTable;
  /** Options of every Mistral client (server URL, timeout, HTTP client or fetch, headers...). */
  clientOptions?: MistralClientOptions;
  /** Per-call options applied to every call made through `pool.client` (deadline, attempt timeout...). */
  callOptions?: PoolClientOptions['callOptions'];
  /** Stream options applied to every stream opened through `pool.client` (idle and first-chunk timeouts). */
  streamOptions?: PoolClientOptions['streamOptions'];
}

/**
 * A key pool over Mistral keys, with `client`: a `Mistral` client whose model calls run through the pool. `client` is
 * a drop-in `Mistral` client: `chat.complete`, `chat.stream`, `fim.*`, `agents.*`, `embeddings.create`,
 * `classifiers.*`, `ocr.process`, `audio.transcriptions.*`, `audio.speech.complete` and `beta.conversations.*` rotate
 * over the pool's keys, and so does every other method that reaches the network (models, files, batch...). Errors are
 * the SDK's own (`SDKError`, `RequestAbortedError`, `RequestTimeoutError`...) with a `keypool` view attached, and
 * streams are `ReadableStream`s like the SDK's `EventStream`.
 */
export type MistralPool = ProviderPool<Mistral>;

/**
 * Builds a Mistral key pool: rotation, cooldowns, limits and failover over many keys, with a drop-in `client`
 * (existing code only changes how the client is built), the unified `chat` / `stream`, `run((client, key) => ...)`,
 * events and `snapshot()`.
 *
 * ```ts
 * const pool = createMistralPool({ keys: [{ id: 'a', secret: process.env.MISTRAL_KEY_A! }, ...] });
 * const answer = await pool.client.chat.complete({ model: 'mistral-small-latest', messages });
 * ```
 */
export function createMistralPool(options: WithApiKey<MistralPoolOptions>): MistralPool {
  const { clientOptions = {}, callOptions, streamOptions, rateLimitWording, ...poolOptions } = options;
  const { routes, generic } = mistralRouteSet({ timeoutMs: clientOptions.timeoutMs });
  return createProviderPool<Mistral>({
    pool: {
      ...poolOptions,
      adapter: withWording(createMistralAdapter(clientOptions), rateLimitWording, classifyMistralError),
    },
    // The template only answers what is not routed; it holds no real key and sends nothing.
    template: () => createMistralTemplateClient(clientOptions),
    routes,
    clientOptions: {
      ...(callOptions ? { callOptions } : {}),
      ...(streamOptions ? { streamOptions } : {}),
      errors: mistralClientErrors,
      routeAll: { under: ROUTED_RESOURCES, route: generic },
      lastKeyProperty: 'apiKey',
      // The SDK keeps its key in `_options`; it is the secret to scrub from errors.
      secretOf: (client: Mistral) => {
        const key = (client as unknown as { _options?: { apiKey?: unknown } })._options?.apiKey;
        return typeof key === 'string' ? key : undefined;
      },
    },
  });
}
