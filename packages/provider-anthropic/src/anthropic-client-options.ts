import type { ClientOptions } from '@anthropic-ai/sdk';

/**
 * The `@anthropic-ai/sdk` client options a pool passes to every per-key client: base URL, timeout, fetch, headers,
 * logger... Everything that names a credential is left out (each client gets its pool key), and `maxRetries` too:
 * the engine is the one retry owner, so every client is built with the SDK's retries off.
 */
export type AnthropicClientOptions = Omit<
  ClientOptions,
  'apiKey' | 'authToken' | 'credentials' | 'config' | 'profile' | 'maxRetries'
>;

/** The SDK's `fetch` option type. */
export type AnthropicFetch = NonNullable<ClientOptions['fetch']>;
