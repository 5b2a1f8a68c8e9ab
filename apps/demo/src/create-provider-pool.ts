import { createAnthropicPool } from '@keypool/anthropic';
import type { KeyConfig, KeyPool, KeyPoolOptions } from '@keypool/core';
import { createGeminiPool } from '@keypool/gemini';
import type { ProviderId } from '@keypool/keystore';
import { createMistralPool } from '@keypool/mistral';
import { createOpenAIPool } from '@keypool/openai';

/** What a provider pool is built from: its keys, an optional base URL, and the key pool's own options. */
export interface ProviderPoolOptions extends Omit<KeyPoolOptions<unknown>, 'adapter' | 'keys'> {
  keys: readonly KeyConfig[];
  /** The provider's API base URL (the emulator's, or a proxy); the SDK's default when absent. */
  baseURL?: string | undefined;
  /** The SDK client's own request timeout, ms. */
  timeoutMs?: number;
}

/**
 * Builds the key pool of one provider through its Keypool package, pointing the SDK at `baseURL` with that SDK's own
 * option (openai/anthropic `baseURL`, gemini `httpOptions.baseUrl`, mistral `serverURL`).
 */
export function createProviderPool(provider: ProviderId, options: ProviderPoolOptions): KeyPool {
  const { baseURL, timeoutMs, keys, ...poolOptions } = options;
  const common = { ...poolOptions, keys: [...keys] };
  switch (provider) {
    case 'openai':
      return createOpenAIPool({
        ...common,
        clientOptions: {
          ...(baseURL ? { baseURL } : {}),
          ...(timeoutMs ? { timeout: timeoutMs } : {}),
        },
      }) as unknown as KeyPool;
    case 'anthropic':
      return createAnthropicPool({
        ...common,
        clientOptions: {
          ...(baseURL ? { baseURL } : {}),
          ...(timeoutMs ? { timeout: timeoutMs } : {}),
        },
      }) as unknown as KeyPool;
    case 'gemini':
      return createGeminiPool({
        ...common,
        clientOptions: {
          httpOptions: {
            ...(baseURL ? { baseUrl: baseURL } : {}),
            ...(timeoutMs ? { timeout: timeoutMs } : {}),
          },
        },
      }) as unknown as KeyPool;
    case 'mistral':
      return createMistralPool({
        ...common,
        clientOptions: {
          ...(baseURL ? { serverURL: baseURL } : {}),
          ...(timeoutMs ? { timeoutMs } : {}),
        },
      }) as unknown as KeyPool;
  }
}
