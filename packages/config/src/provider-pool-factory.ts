import type { KeyPool, KeyPoolOptions } from '@keypool/core';
import { isOpenAIPresetId, PROVIDER_IDS, type ProviderId, providerFamily } from '@keypool/keystore';

/** What a provider factory receives: the key pool options from the keys file (and the caller's extras). */
export type ProviderPoolInput = Omit<KeyPoolOptions<unknown>, 'adapter'>;

/**
 * Builds one provider's pool. The default for each provider loads its Keypool package on first use
 * (`@keypool/openai`, `@keypool/anthropic`, `@keypool/gemini`, `@keypool/mistral`; the presets and Azure use
 * `@keypool/openai`), so an app installs only the provider packages its keys file names; pass your own to set client options or to build pools another way.
 */
export type ProviderPoolFactory = (input: ProviderPoolInput) => KeyPool | Promise<KeyPool>;

/** The package that builds each provider's pool: the presets and Azure are built by `@keypool/openai`. */
export const PROVIDER_PACKAGES: Readonly<Record<ProviderId, string>> = Object.fromEntries(
  PROVIDER_IDS.map((provider) => [provider, `@keypool/${providerFamily(provider)}`]),
) as Record<ProviderId, string>;

/** A provider's settings from its keys-file section: its base URL, and Azure's endpoint, API version and deployment. */
export interface ProviderSettings {
  baseURL?: string;
  endpoint?: string;
  apiVersion?: string;
  deployment?: string;
}

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

/** The file's base URL in the SDK's own option (gemini `httpOptions.baseUrl`, mistral `serverURL`), under the caller's. */
function withBaseURL(
  provider: ProviderId,
  baseURL: string | undefined,
  clientOptions: Record<string, unknown>,
): Record<string, unknown> {
  if (baseURL === undefined) return clientOptions;
  switch (providerFamily(provider)) {
    case 'gemini': {
      const http = (clientOptions.httpOptions ?? {}) as Record<string, unknown>;
      return { ...clientOptions, httpOptions: { baseUrl: baseURL, ...http } };
    }
    case 'mistral':
      return { serverURL: baseURL, ...clientOptions };
    default:
      return { baseURL, ...clientOptions };
  }
}

/**
 * The default factory of a provider: its Keypool package's `create<Provider>Pool` (`createOpenAICompatiblePool` for a
 * preset, labelled with the preset's name; `createAzureOpenAIPool` for `azure`), with `clientOptions` passed to the
 * SDK client (base URL, timeout, fetch, headers) over the keys file's `settings`.
 */
export function defaultProviderFactory(
  provider: ProviderId,
  clientOptions: Record<string, unknown> = {},
  settings: ProviderSettings = {},
): ProviderPoolFactory {
  const client = withBaseURL(provider, settings.baseURL, clientOptions);
  if (isOpenAIPresetId(provider)) {
    return async (input) => {
      const { createOpenAICompatiblePool } = await load(provider, () => import('@keypool/openai'));
      return createOpenAICompatiblePool(provider, { ...input, clientOptions: client }) as unknown as KeyPool;
    };
  }
  switch (provider) {
    case 'azure':
      return async (input) => {
        const { createAzureOpenAIPool } = await load(provider, () => import('@keypool/openai'));
        return createAzureOpenAIPool({
          ...input,
          clientOptions: client,
          ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
          ...(settings.apiVersion === undefined ? {} : { apiVersion: settings.apiVersion }),
          ...(settings.deployment === undefined ? {} : { deployment: settings.deployment }),
        }) as unknown as KeyPool;
      };
    case 'openai':
      return async (input) => {
        const { createOpenAIPool } = await load(provider, () => import('@keypool/openai'));
        return createOpenAIPool({ ...input, clientOptions: client }) as unknown as KeyPool;
      };
    case 'anthropic':
      return async (input) => {
        const { createAnthropicPool } = await load(provider, () => import('@keypool/anthropic'));
        return createAnthropicPool({ ...input, clientOptions: client }) as unknown as KeyPool;
      };
    case 'gemini':
      return async (input) => {
        const { createGeminiPool } = await load(provider, () => import('@keypool/gemini'));
        return createGeminiPool({ ...input, clientOptions: client }) as unknown as KeyPool;
      };
    case 'mistral':
      return async (input) => {
        const { createMistralPool } = await load(provider, () => import('@keypool/mistral'));
        return createMistralPool({ ...input, clientOptions: client }) as unknown as KeyPool;
      };
  }
}
