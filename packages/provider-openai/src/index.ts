export {
  AZURE_OPENAI_PRESET,
  type AzureOpenAIClientOptions,
  type AzureOpenAIPoolOptions,
  createAzureOpenAIPool,
} from './azure-openai-pool';
export { parseCerebrasRateLimitHeaders } from './cerebras-rate-limit';
export { mapOpenAIFinishReason } from './map-openai-finish-reason';
export { maskKeyLikeSecrets } from './mask-key-like';
export {
  createOpenAIAdapter,
  createOpenAITemplateClient,
  type OpenAIAdapter,
  type OpenAIClientOptions,
} from './openai-adapter';
export { openAIChat, openAIStream, openAIStreamWithTools, toOpenAIChatParams } from './openai-chat';
export {
  createOpenAICompatiblePool,
  OPENAI_COMPATIBLE_PRESETS,
  type OpenAICompatiblePoolOptions,
  type OpenAICompatiblePreset,
  type OpenAICompatiblePresetName,
  presetKeysFromEnv,
} from './openai-compatible-presets';
export { classifyOpenAIError } from './openai-error';
export { createOpenAIPool, type OpenAIPool, type OpenAIPoolOptions } from './openai-pool';
export { parseOpenAIRateLimitHeaders } from './openai-rate-limit';
export { OPENAI_RATE_LIMIT_WORDING } from './openai-rate-limit-wording';
export { parseOpenRouterErrorBody, parseOpenRouterRateLimitHeaders } from './openrouter-rate-limit';
export {
  RATE_LIMIT_DIALECTS,
  type RateLimitDialect,
  type RateLimitDialectName,
  type RateLimitHeaderParser,
  type RateLimitHeadersOption,
  resolveRateLimitDialect,
} from './rate-limit-dialect';
export { parseTogetherRateLimitHeaders } from './together-rate-limit';
