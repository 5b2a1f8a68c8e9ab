export {
  type AnthropicAdapter,
  type AnthropicAdapterOptions,
  createAnthropicAdapter,
} from './anthropic-adapter.ts';
export {
  type AnthropicChatOptions,
  DEFAULT_MAX_TOKENS,
  toAnthropicMessageParams,
} from './anthropic-chat-request.ts';
export type { AnthropicClientOptions, AnthropicFetch } from './anthropic-client-options.ts';
export { classifyAnthropicError } from './anthropic-error.ts';
export { type AnthropicFetchOptions, createAnthropicFetch } from './anthropic-fetch.ts';
export { anthropicModelScope } from './anthropic-model-scope.ts';
export {
  ANTHROPIC_PLACEHOLDER_KEY,
  type AnthropicPool,
  type AnthropicPoolOptions,
  createAnthropicPool,
} from './anthropic-pool.ts';
export { parseAnthropicRateLimitHeaders } from './anthropic-rate-limit.ts';
export { ANTHROPIC_RATE_LIMIT_WORDING } from './anthropic-rate-limit-wording.ts';
export { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';
export { redactSecrets } from './redact-secrets.ts';
