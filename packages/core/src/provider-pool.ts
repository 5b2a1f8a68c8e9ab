import type { WithApiKey } from './api-key-option';
import { createKeyPool, type KeyPool, type KeyPoolOptions } from './key-pool';
import { createPoolClient, type PoolClientOptions, type RoutedMethod } from './pool-client';

/** A provider's key pool with `client`: the SDK's own client, whose calls to the model go through the pool. */
export type ProviderPool<TClient> = KeyPool<TClient> & { readonly client: TClient };

/** What a provider package brings to `createProviderPool`. */
export interface ProviderPoolParts<TClient extends object> {
  /** The pool's options, with the provider's adapter (one key may be given as `apiKey`). */
  pool: WithApiKey<KeyPoolOptions<TClient>>;
  /**
   * Builds the template client that answers what is not routed (helpers, getters). It holds no real key. Given the
   * pool, so a provider can route its SDK's own helpers (e.g. stream builders) through it.
   */
  template: (pool: KeyPool<TClient>) => TClient;
  /** The SDK methods `client` sends through the pool. */
  routes: readonly RoutedMethod[];
  /** Call and stream options applied to every routed call. */
  clientOptions?: PoolClientOptions;
  /**
   * Runs once the routed client exists, e.g. to point SDK helpers of the template at it. It may return a client to
   * hand out instead (one that adds to the routed client, e.g. SDK objects built on its routed resources).
   */
  afterClient?: (client: TClient, template: TClient) => TClient | undefined;
}

/**
 * Builds a provider's key pool and its drop-in `client` (see `createPoolClient`). Every provider package's factory
 * (`createOpenAIPool`, `createAnthropicPool`, ...) is this plus its own adapter, template and routes.
 */
export function createProviderPool<TClient extends object>(
  parts: ProviderPoolParts<TClient>,
): ProviderPool<TClient> {
  const pool = createKeyPool(parts.pool);
  const template = parts.template(pool);
  const routed = createPoolClient(pool, template, parts.routes, parts.clientOptions);
  const client = parts.afterClient?.(routed, template) ?? routed;
  Object.defineProperty(pool, 'client', {
    value: client,
    enumerable: false,
    writable: false,
    configurable: false,
  });
  return pool as ProviderPool<TClient>;
}
