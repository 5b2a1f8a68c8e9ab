export { mapMistralFinishReason } from './map-mistral-finish-reason';
export { createMistralAdapter, type MistralAdapter } from './mistral-adapter';
export { toChatUsage, toMistralChatRequest } from './mistral-chat';
export {
  createMistralClient,
  createMistralTemplateClient,
  type MistralClientOptions,
  NOT_ROUTED_MESSAGE,
  PLACEHOLDER_API_KEY,
} from './mistral-client';
export { mistralContentText } from './mistral-content-text';
export { classifyMistralError } from './mistral-error';
export { createMistralPool, type MistralPool, type MistralPoolOptions } from './mistral-pool';
export {
  isMistralMonthSpent,
  MISTRAL_RATE_LIMIT_HEADERS,
  parseMistralRateLimitHeaders,
} from './mistral-rate-limit';
export { MISTRAL_RATE_LIMIT_WORDING } from './mistral-rate-limit-wording';
export { type MistralRequestOptions, withAttemptSignal } from './mistral-request-options';
export {
  createMistralRoutes,
  estimateMistralRequestTokens,
  isTerminalMistralChunk,
  type MistralRouteOptions,
} from './mistral-routes';
export { scrubKeyLike } from './scrub-key-like';
