import type { KeyPool, KeyPoolOptions } from '@keypool/core';
import type { ProviderId } from '@keypool/keystore';

/** What a provider factory receives: the key pool options from the keys file (and the caller's extras). */
export type ProviderPoolInput = Omit<KeyPoolOptions<unknown>, 'adapter'>;

/**
 * Builds one provider's pool. The default for each provider loads its Keypool package on first use
 * (`@keypool/openai`, `@keypool/anthropic`, `@keypool/gemini`, `@keypool/mistral`), so an app installs only the
 * provider packages its keys file names; pass your own to set client options or to build pools another way.
 */
export type ProviderPoolFactory = (input: ProviderPoolInput) => KeyPool | Promise<KeyPool>;

/** The package that builds each provider's pool. */
export const PROVIDER_PACKAGES: Readonly<Record<ProviderId, string>> = {
  openai: '@keypool/openai',
  anthropic: '@keypool/anthropic',
  gemini: '@keypool/gemini',
  mistral: '@keypool/mistral',
};

/** Imports a provider package, or throws an error that says which package to install. */
async function load<T>(provider: ProviderId, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (cause) {
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `the keys file has ${provider} keys, but ${PROVIDER_PACKAGES[provider]} is not installed: install it (and its SDK), or pass providers.${provider}`,
        { cause },
      );
    }
    throw cause;
  }
}

/**
 * The default factory of a provider: its Keypool package's `create<Provider>Pool`, with `clientOptions` passed to the
 * SDK client (base URL, timeout, fetch, headers).
 */
export function defaultProviderFactory(
  provider: ProviderId,
  clientOptions: Record<string, unknown> = {},
): ProviderPoolFactory {
  switch (provider) {
    case 'openai':
      return async (input) => {
        const { createOpenAIPool } = await load(provider, () => import('@keypool/openai'));
        return createOpenAIPool({ ...input, clientOptions }) as unknown as KeyPool;
      };
    case 'anthropic':
      return async (input) => {
        const { createAnthropicPool } = await load(provider, () => import('@keypool/anthropic'));
        return createAnthropicPool({ ...input, clientOptions }) as unknown as KeyPool;
      };
    case 'gemini':
      return async (input) => {
        const { createGeminiPool } = await load(provider, () => import('@keypool/gemini'));
        return createGeminiPool({ ...input, clientOptions }) as unknown as KeyPool;
      };
    case 'mistral':
      return async (input) => {
        const { createMistralPool } = await load(provider, () => import('@keypool/mistral'));
        return createMistralPool({ ...input, clientOptions }) as unknown as KeyPool;
      };
  }
}
