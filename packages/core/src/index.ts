export { attemptSignal, raceSignal, sleep } from './abort';
export type { AttemptContext, ClientHooks, ProviderAdapter } from './adapter';
export { API_KEY_ID, apiKeyAsKeys, type WithApiKey } from './api-key-option';
export { backoffStep, type CooldownBounds, cooldownDuration, DEFAULT_COOLDOWN, retryDelay } from './backoff';
export {
  ERROR_CATEGORIES,
  type ErrorCategory,
  isErrorCategory,
  type KnownProvider,
  type ProviderName,
} from './categories';
export {
  type ChatAssistantMessage,
  type ChatDocumentPart,
  type ChatImagePart,
  type ChatMediaSource,
  type ChatMessage,
  type ChatRequest,
  type ChatResponseFormat,
  type ChatResult,
  type ChatStreamEvent,
  type ChatStreamPart,
  type ChatSystemMessage,
  type ChatTextPart,
  type ChatTool,
  type ChatToolCall,
  type ChatToolCallDelta,
  type ChatToolChoice,
  type ChatToolMessage,
  type ChatToolStreamEvent,
  type ChatToolStreamPart,
  type ChatUsage,
  type ChatUserMessage,
  type ChatUserPart,
  estimateRequestTokens,
  type FinishReason,
  type JsonSchema,
} from './chat';
export {
  bytesToBase64,
  mediaDataUrl,
  parseToolArguments,
  type ResolvedMedia,
  resolveMedia,
  toolNameFor,
  userContentText,
} from './chat-parts';
export { chatStreamEvents, type StreamAttemptFacts, withoutToolCallDeltas } from './chat-stream-events';
export type { ClassifiedError } from './classified-error';
export { classifyHttpFailure, type HttpFailure } from './classify-http-failure';
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
  INTERRUPT_MODES,
  KEY_EFFECTS,
  type KeyConfig,
  type KeyLimits,
  keyConfigSchema,
  keyListSchema,
  POLICY_ROW_FIELDS,
  POOL_OPTION_NAMES,
  parseKeys,
  policyOverridesSchema,
  REQUEST_EFFECTS,
  type RetryBackoffOptions,
  retryBackoffSchema,
  STRATEGY_NAMES,
  type StrategyName,
} from './config';
export { CONTEXT_WINDOWS, contextWindowOf } from './context-windows';
export {
  ContinuationCapabilities,
  type ContinuationMethod,
  type ContinuationRule,
  DEFAULT_CONTINUATION_RULES,
  type StreamTarget,
} from './continuation-capabilities';
export {
  type ContinuablePool,
  continuePoolStream,
  type PoolStreamCallOptions,
} from './continue-pool-stream';
export type {
  ContinuationReason,
  ContinuationRecord,
  ContinuedResult,
  ContinuedStreamEvent,
  StreamContinuationEvent,
  StreamContinuationEvents,
  StreamEndpoint,
  StreamRestartEvent,
} from './continued-stream-event';
export { didYouMean } from './did-you-mean';
export {
  ConfigError,
  type ConfigIssue,
  KeypoolError,
  type KeypoolErrorCode,
  PoolExhaustedError,
  ProviderError,
  StreamInterruptedError,
} from './errors';
export { MEDIA_PART_TOKENS } from './estimate-request-tokens';
export {
  type KeyRef,
  type Listener,
  type PoolEvent,
  type PoolEventName,
  type PoolEvents,
  TypedEmitter,
} from './events';
export {
  createFailureHistory,
  type FailureHistory,
  type FailureHistoryOptions,
  type FailureRecord,
  type HistorySource,
} from './failure-history';
export { EmptyEventStreamError, firstEventResponse, rebuiltResponse } from './first-event-response';
export { HandOverMemoryStore, type WindowUnits } from './hand-over-memory-store';
export { headerUnsafe } from './header-unsafe';
export {
  createHealthMonitor,
  type HealthAlert,
  type HealthEvents,
  type HealthMonitor,
  type HealthMonitorOptions,
  type MonitoredPool,
} from './health-monitor';
export {
  DEFAULT_HEALTH_RULES,
  type HealthRuleName,
  type HealthRules,
  type HealthScope,
  type ResolvedHealthRules,
  resolveHealthRules,
  type WindowRuleOptions,
} from './health-rules';
export { createHttpAdapter, type HttpClient } from './http-adapter';
export { IncompleteAnswerError } from './incomplete-answer-error';
export { compileModelPatterns, type KeyRanking, type ModelMatcher } from './key-bindings';
export { DEFAULT_HISTORY_SIZE, historyMessage, isFailureRecord, KeyHistoryBook } from './key-history';
export type { AcquireOptions, KeyLease, LeaseFailure, LeaseUsage } from './key-lease';
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
export { maskKeyLike } from './mask-key-like';
export { type MemoryEntry, MemoryStateStore } from './memory-store';
export {
  type NativeInterruptMode,
  type NativeStreamRestart,
  nativeRestartOf,
} from './native-stream-restart';
export { NoKeyForModelError } from './no-key-for-model-error';
export { eventTime, type ObservedEvent, observe } from './observed-event';
export { type Outcome, OutcomeWindow, quantile } from './outcome-window';
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
export { createPoolEngine, KEY_POOL_ONLY_OPTIONS, PoolEngine, type PoolEngineOptions } from './pool-engine';
export {
  CODE_ONLY_POOL_OPTIONS,
  type CodeOnlyPoolOption,
  dataPoolOptionNames,
  type PoolOptionProblem,
  poolOptionProblems,
} from './pool-option-problems';
export type {
  EngineStreamOptions,
  PoolContinuationOptions,
  PoolStreamEvent,
  PoolStreamOptions,
} from './pool-stream';
export { isPrefillRejection } from './prefill-rejection';
export { createProviderPool, type ProviderPool, type ProviderPoolParts } from './provider-pool';
export type { RateLimitBudget, RateLimitInfo } from './rate-limit-info';
export {
  DEFAULT_RATE_LIMIT_WORDING,
  extendRateLimitWording,
  matchRateLimitWording,
  type RateLimitWordingCategory,
  type RateLimitWordingFacts,
  type RateLimitWordingRule,
  type RateLimitWordingTable,
  withWording,
} from './rate-limit-wording';
export {
  type BudgetHeaderNames,
  firstHeader,
  type HeaderSource,
  parseDuration,
  parseResetTime,
  parseRetryAfter,
  readRateLimitBudget,
} from './retry-hints';
export { RingBuffer } from './ring-buffer';
export {
  type RequestRoutableClient,
  type RequestRoutingParts,
  routeClientRequests,
  type SdkRequestOptions,
  type SdkResponseProps,
} from './route-client-requests';
export type {
  ContinuablePoolRef,
  OpenedResponse,
  OpenedRoutedStream,
  RoutedResponseContinuer,
  RoutedStreamContinuer,
  StartRoutedStream,
} from './routed-stream-continuer';
export { scrubbedError } from './scrubbed-error';
export { fingerprintSecret, maskSecret, scrubSecrets, sha256Hex } from './secret';
export { createSecretScrubber, scrubberFor, type TextScrubber } from './secret-scrubber';
export {
  createSelector,
  healthSelector,
  type KeySelector,
  latencySelector,
  leastUsedSelector,
  prioritySelector,
  randomSelector,
  roundRobinSelector,
  SELECTION_WINDOW,
  type SelectableKey,
  type SelectionContext,
  weightedSelector,
} from './selectors';
export {
  type MalformedStreamEvent,
  skipMalformedEvents,
  withMalformedEventSkipping,
} from './skip-malformed-events';
export { SlidingCounter } from './sliding-counter';
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
export { type ChatToolContinuedEvent, type StreamChatOptions, streamChat } from './stream-chat';
export {
  continueStream,
  type InterruptMode,
  type OpenUnifiedStream,
  type StreamAttempt,
  type StreamContinuationOptions,
  type UnifiedStreamEvent,
} from './stream-continuation';
export {
  DEFAULT_MAX_OVERLAP_WORDS,
  type JoinStep,
  OverlapJoiner,
  type PrefillPlan,
  planPrefill,
  trimOverlap,
} from './trim-overlap';
export { UnsupportedFeatureError } from './unsupported-feature-error';
export type { KeySecretUpdate } from './update-key-secret';
export {
  createWebhookNotifier,
  type WebhookBody,
  type WebhookNotifier,
  type WebhookNotifierOptions,
} from './webhook-notifier';
