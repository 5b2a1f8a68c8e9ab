import { apiKeyAsKeys, ConfigError, type KeyConfig, type WithApiKey } from '@keypool/core';
import { type AzureClientOptions, AzureOpenAI, type ClientOptions } from 'openai';
import type { OpenAIClientOptions } from './openai-adapter';
import { presetKeysFromEnv } from './openai-compatible-presets';
import { buildOpenAIPool, type OpenAIPool, type OpenAIPoolOptions } from './openai-pool';

/** Azure OpenAI's provider label, base-URL variable and key variables. */
export const AZURE_OPENAI_PRESET = {
  provider: 'azure-openai',
  /** `https://<resource>.openai.azure.com`; the SDK adds `/openai`. */
  endpointVar: 'AZURE_OPENAI_ENDPOINT',
  apiVersionVar: 'OPENAI_API_VERSION',
  envVars: ['AZURE_OPENAI_API_KEY'],
  /** Keypool's own default base URL: none (every resource has its own endpoint). */
  baseURL: '',
} as const;

/** Options of every `AzureOpenAI` client the pool builds, besides the key (from the pool) and the Azure settings. */
export type AzureOpenAIClientOptions = OpenAIClientOptions;

/** Options of `createAzureOpenAIPool`. */
export interface AzureOpenAIPoolOptions
  extends Omit<OpenAIPoolOptions, 'keys' | 'provider' | 'clientOptions'> {
  /** The keys; when left out, read from `AZURE_OPENAI_API_KEY` (and `_2`..., `AZURE_OPENAI_API_KEYS`) in `env`. */
  keys?: OpenAIPoolOptions['keys'];
  /** One key, as `new AzureOpenAI({ apiKey })` takes it (its id is `apiKey`); not with `keys`. */
  apiKey?: string | undefined;
  /** The resource's endpoint, `https://<resource>.openai.azure.com` (default `AZURE_OPENAI_ENDPOINT`). */
  endpoint?: string;
  /** The API version sent as `api-version` on every request (default `OPENAI_API_VERSION`). */
  apiVersion?: string;
  /**
   * The deployment every call goes to. Without it, the request's `model` names the deployment
   * (`/openai/deployments/{model}/chat/completions`).
   */
  deployment?: string;
  /** Other options of the `AzureOpenAI` clients (timeout, headers, fetch...). */
  clientOptions?: AzureOpenAIClientOptions;
  /** Where the variables are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * A key pool over Azure OpenAI through the SDK's `AzureOpenAI` client: each key is sent in the `api-key` header, calls
 * go to `/openai/deployments/{deployment}/...` with `api-version`, and events, snapshots and errors say
 * `azure-openai`. `pool.client` is an `AzureOpenAI` whose every request rotates keys like `createOpenAIPool`'s.
 *
 * @throws {ConfigError} when no endpoint, API version or key is given or found in the environment (naming the
 *   option and the variable).
 */
export function createAzureOpenAIPool(options: AzureOpenAIPoolOptions = {}): OpenAIPool {
  const {
    keys,
    apiKey,
    endpoint,
    apiVersion,
    deployment,
    clientOptions,
    env = process.env,
    ...rest
  } = options;
  const problems: { path: string; message: string }[] = [];
  const resolvedEndpoint = endpoint ?? env[AZURE_OPENAI_PRESET.endpointVar];
  const baseURL = clientOptions?.baseURL;
  if (!resolvedEndpoint && !baseURL) {
    problems.push({
      path: 'endpoint',
      message: `no Azure OpenAI endpoint: pass \`endpoint\` or set ${AZURE_OPENAI_PRESET.endpointVar} (https://<resource>.openai.azure.com)`,
    });
  }
  if (resolvedEndpoint && baseURL) {
    problems.push({ path: 'endpoint', message: 'give `endpoint` or `clientOptions.baseURL`, not both' });
  }
  const resolvedVersion = apiVersion ?? env[AZURE_OPENAI_PRESET.apiVersionVar];
  if (!resolvedVersion) {
    problems.push({
      path: 'apiVersion',
      message: `no API version: pass \`apiVersion\` or set ${AZURE_OPENAI_PRESET.apiVersionVar} (e.g. 2024-10-21)`,
    });
  }
  const resolvedKeys: readonly KeyConfig[] | undefined =
    'apiKey' in options
      ? apiKeyAsKeys({ apiKey, keys } as WithApiKey<{ keys: readonly KeyConfig[] }>).keys
      : (keys ?? (problems.length === 0 ? presetKeysFromEnv(AZURE_OPENAI_PRESET, env) : undefined));
  if (resolvedKeys !== undefined && resolvedKeys.length === 0) {
    problems.push({
      path: 'keys',
      message: `no keys: pass \`keys\` or set ${AZURE_OPENAI_PRESET.envVars.join(' / ')}`,
    });
  }
  if (problems.length > 0) throw new ConfigError('Azure OpenAI pool', problems);
  const azure = {
    apiVersion: resolvedVersion,
    ...(baseURL ? {} : { endpoint: resolvedEndpoint }),
    ...(deployment === undefined ? {} : { deployment }),
  };
  return buildOpenAIPool(
    {
      ...rest,
      keys: resolvedKeys ?? [],
      provider: AZURE_OPENAI_PRESET.provider,
      clientOptions: clientOptions ?? {},
    },
    // OpenAI's `provider` option (its own integrations) does not apply to Azure; the pool never sets it.
    ({ provider: _provider, ...client }: ClientOptions) =>
      new AzureOpenAI({ ...client, ...azure } as AzureClientOptions),
  );
}
