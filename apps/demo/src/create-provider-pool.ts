import { createAnthropicPool } from '@keypool/anthropic';
import type { KeyConfig, KeyPool, KeyPoolOptions } from '@keypool/core';
import { createGeminiPool } from '@keypool/gemini';
import { isOpenAIPresetId, type ProviderId } from '@keypool/keystore';
import { createMistralPool } from '@keypool/mistral';
import { createAzureOpenAIPool, createOpenAICompatiblePool, createOpenAIPool } from '@keypool/openai';

/** What a provider pool is built from: its keys, an optional base URL, and the key pool's own options. */
export interface ProviderPoolOptions extends Omit<KeyPoolOptions<unknown>, 'adapter' | 'keys'> {
  keys: readonly KeyConfig[];
  /** The provider's API base URL (the emulator's, or a proxy); the SDK's default when absent. */
  baseURL?: string | undefined;
  /** The SDK client's own request timeout, ms. */
  timeoutMs?: number;
  /** Azure's settings (from the keys file's `azure` section; else AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION). */
  azure?: { endpoint?: string; apiVersion?: string; deployment?: string };
  /** Where Azure's variables are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Builds the key pool of one provider through its Keypool package, pointing the SDK at `baseURL` with that SDK's own
 * option (openai/anthropic `baseURL`, gemini `httpOptions.baseUrl`, mistral `serverURL`). A preset (`groq`...) is
 * `createOpenAICompatiblePool` (its own base URL unless `baseURL` is given, its name on events); `azure` is
 * `createAzureOpenAIPool` (`baseURL`, when given, replaces the endpoint).
 */
export function createProviderPool(provider: ProviderId, options: ProviderPoolOptions): KeyPool {
  const { baseURL, timeoutMs, keys, azure, env, ...poolOptions } = options;
  const common = { ...poolOptions, keys: [...keys] };
  const openaiClient = {
    ...(baseURL ? { baseURL } : {}),
    ...(timeoutMs ? { timeout: timeoutMs } : {}),
  };
  if (isOpenAIPresetId(provider))
    return createOpenAICompatiblePool(provider, {
      ...common,
      clientOptions: openaiClient,
    }) as unknown as KeyPool;
  switch (provider) {
    case 'azure':
      return createAzureOpenAIPool({
        ...common,
        ...(env ? { env } : {}),
        ...(baseURL ? {} : azure?.endpoint ? { endpoint: azure.endpoint } : {}),
        ...(azure?.apiVersion ? { apiVersion: azure.apiVersion } : {}),
        ...(azure?.deployment ? { deployment: azure.deployment } : {}),
        clientOptions: openaiClient,
      }) as unknown as KeyPool;
    case 'openai':
      return createOpenAIPool({ ...common, clientOptions: openaiClient }) as unknown as KeyPool;
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
