import {
  type ClientHooks,
  type ProviderAdapter,
  type ProviderName,
  withMalformedEventSkipping,
} from '@keypool/core';
import OpenAI, { type ClientOptions } from 'openai';
import { openAIChat, openAIStream, openAIStreamWithTools } from './openai-chat';
import { classifyOpenAIError } from './openai-error';
import { RATE_LIMIT_DIALECTS, type RateLimitDialect } from './rate-limit-dialect';
import { createReportingFetch } from './reporting-fetch';
import { toOpenAIChatParams } from './to-openai-chat-params';

/**
 * Options passed to every `OpenAI` client the pool builds (base URL, timeout, fetch, headers, organization...).
 * The key comes from the pool and retries are always off (the engine is the one retry owner), so `apiKey` and
 * `maxRetries` are not accepted.
 */
export type OpenAIClientOptions = Omit<ClientOptions, 'apiKey' | 'maxRetries'>;

/** The OpenAI adapter: one `OpenAI` client per key, the error mapper, the rate-limit headers, the unified chat. */
export interface OpenAIAdapter extends ProviderAdapter<OpenAI> {
  /** `openai`, or an OpenAI-compatible provider's own label (`groq`, `deepseek`...): events, snapshots and errors use it. */
  readonly provider: ProviderName;
  /** The client of the key last given to `setApiKey` (built lazily, one per key). Throws before any key is set. */
  readonly client: OpenAI;
}

/** A logger that drops everything: the SDK's messages never reach the console. */
const SILENT_LOGGER = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Creates the OpenAI adapter. Each key gets its own client, built with `maxRetries: 0`, the user's options, and a
 * fetch wrapped to report every response's rate-limit headers to the pool. `provider` (default `openai`) labels an
 * OpenAI-compatible service in events, snapshots and errors; `rateLimitDialect` (default OpenAI's) is how its answers'
 * rate-limit headers are read (see `RATE_LIMIT_DIALECTS`).
 */
export function createOpenAIAdapter(
  clientOptions: OpenAIClientOptions = {},
  provider: ProviderName = 'openai',
  construct: OpenAIConstructor = newOpenAI,
  rateLimitDialect: RateLimitDialect = RATE_LIMIT_DIALECTS.openai,
): OpenAIAdapter {
  const options = withoutKeyOptions(clientOptions);
  const createClient = (secret: string, hooks?: ClientHooks): OpenAI =>
    construct({
      ...options,
      apiKey: secret,
      maxRetries: 0,
      fetch: createReportingFetch(
        withMalformedEventSkipping(options.fetch, hooks?.reportMalformedEvent),
        secret,
        hooks?.reportRateLimit,
        rateLimitDialect,
      ),
    });
  let currentSecret: string | undefined;
  let currentClient: OpenAI | undefined;
  return {
    provider,
    setApiKey(secret: string) {
      if (secret === currentSecret) return;
      currentSecret = secret;
      currentClient = undefined;
    },
    get client(): OpenAI {
      if (currentSecret === undefined)
        throw new Error('no key set on the OpenAI adapter: call setApiKey(secret) first');
      currentClient ??= createClient(currentSecret);
      return currentClient;
    },
    createClient,
    classifyError: (error: unknown) => classifyOpenAIError(error, Date.now(), undefined, rateLimitDialect),
    parseRateLimitHeaders: (headers) => rateLimitDialect.parse(headers, Date.now()),
    chat: openAIChat,
    stream: openAIStream,
    streamWithTools: openAIStreamWithTools,
    validateRequest: (request) => void toOpenAIChatParams(request),
  };
}

/**
 * The template behind `pool.client`: it serves everything that is not a call to the model (helpers, getters,
 * `withOptions`...). It holds no key: a request sent through it fails locally with a message saying how to run it
 * on a key of the pool.
 */
export function createOpenAITemplateClient(
  clientOptions: OpenAIClientOptions = {},
  construct: OpenAIConstructor = newOpenAI,
): OpenAI {
  return construct({
    ...withoutKeyOptions(clientOptions),
    maxRetries: 0,
    apiKey: async () => {
      throw new Error(
        'this call is not routed through the key pool (only calls to the model are); run it on a key of the pool with pool.run((client) => ...)',
      );
    },
  });
}

/**
 * Builds one client from its options: `new OpenAI(options)` by default; the Azure preset builds an `AzureOpenAI`
 * (same request pipeline, `api-key` header, deployment paths, `api-version`).
 */
export type OpenAIConstructor = (options: ClientOptions) => OpenAI;

const newOpenAI: OpenAIConstructor = (options) => new OpenAI(options);

function withoutKeyOptions(clientOptions: OpenAIClientOptions): OpenAIClientOptions {
  const { apiKey: _apiKey, maxRetries: _maxRetries, ...rest } = clientOptions as ClientOptions;
  // The SDK logs to the console by default (e.g. "Could not parse message into JSON" and the raw chunk on a malformed
  // stream); a library never writes there, so every client's logger is silent unless the user gives one.
  return { ...rest, logger: rest.logger ?? SILENT_LOGGER };
}
