export { attemptSignal, raceSignal, sleep } from './abort';
export type { AttemptContext, ClientHooks, ProviderAdapter } from './adapter';
export { type CooldownBounds, cooldownDuration, DEFAULT_COOLDOWN, retryDelay } from './backoff';
export {
  ERROR_CATEGORIES,
  type ErrorCategory,
  isErrorCategory,
  type KnownProvider,
  type ProviderName,
} from './categories';
export {
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type ChatStreamEvent,
  type ChatStreamPart,
  type ChatUsage,
  estimateRequestTokens,
  type FinishReason,
} from './chat';
export type { ClassifiedError } from './classified-error';
export {
  type ClientErrorFactory,
  type KeypoolErrorView,
  ROUTED_CLIENT_API_KEY,
  scrubSdkError,
  toClientError,
  type WithKeypoolView,
} from './client-error';
export {
  type CooldownOptions,
  type KeyConfig,
  type KeyLimits,
  keyConfigSchema,
  keyListSchema,
  parseKeys,
  STRATEGY_NAMES,
  type StrategyName,
} from './config';
export { CONTEXT_WINDOWS, contextWindowOf } from './context-windows';
export {
  ConfigError,
  type ConfigIssue,
  KeypoolError,
  type KeypoolErrorCode,
  PoolExhaustedError,
  ProviderError,
  StreamInterruptedError,
} from './errors';
export {
  type KeyRef,
  type Listener,
  type PoolEvent,
  type PoolEventName,
  type PoolEvents,
  TypedEmitter,
} from './events';
export { EmptyEventStreamError, firstEventResponse, rebuiltResponse } from './first-event-response';
export {
  type AttemptKey,
  type AttemptOutcome,
  type CallOptions,
  createKeyPool,
  KeyPool,
  type KeyPoolOptions,
  type PoolState,
  type StreamCallOptions,
} from './key-pool';
export type { KeySnapshot } from './key-snapshot';
export { MemoryStateStore } from './memory-store';
export {
  DEFAULT_POLICY,
  type KeyEffect,
  type PolicyOverrides,
  type PolicyRow,
  type PolicyTable,
  type RequestEffect,
  resolvePolicy,
} from './policy';
export {
  createPoolClient,
  type PoolClientOptions,
  type RoutedMethod,
  type RoutedStream,
} from './pool-client';
export { createProviderPool, type ProviderPool, type ProviderPoolParts } from './provider-pool';
export type { RateLimitBudget, RateLimitInfo } from './rate-limit-info';
export {
  type BudgetHeaderNames,
  firstHeader,
  type HeaderSource,
  parseDuration,
  parseResetTime,
  parseRetryAfter,
  readRateLimitBudget,
} from './retry-hints';
export {
  type RequestRoutableClient,
  type RequestRoutingParts,
  routeClientRequests,
  type SdkRequestOptions,
  type SdkResponseProps,
} from './route-client-requests';
export { fingerprintSecret, maskSecret, scrubSecrets, sha256Hex } from './secret';
export {
  createSelector,
  healthSelector,
  type KeySelector,
  latencySelector,
  leastUsedSelector,
  randomSelector,
  roundRobinSelector,
  SELECTION_WINDOW,
  type SelectableKey,
  type SelectionContext,
  weightedSelector,
} from './selectors';
export { SlidingWindow } from './sliding-window';
export {
  type AttemptRecord,
  initialKeyState,
  type KeyStateView,
  type PersistedKeyState,
  type RecordResult,
  type ReserveCost,
  type ReserveResult,
  type StateStore,
  type StatusChange,
  type StoreKey,
  type WindowLengths,
} from './state-store';
