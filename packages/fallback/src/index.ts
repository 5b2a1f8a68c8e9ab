export type { ChainAttempt, StepSkipReason } from './attempt-log';
export {
  ChainExhaustedError,
  type ChainExhaustedReason,
  type StepFailure,
} from './chain-exhausted-error';
export type {
  ChainChatOptions,
  ChainPool,
  ChainPoolStreamEvent,
  ChainStep,
  ChainStreamOptions,
  StepRef,
} from './chain-step';
export type { ChainContinuationOptions } from './chain-stream-continuation';
export {
  ConsecutiveFailureBreaker,
  type ConsecutiveFailureBreakerOptions,
  type ConsecutiveFailureBreakerState,
} from './consecutive-failure-breaker';
export {
  createFallbackChain,
  FallbackChain,
  type FallbackChainOptions,
  type FallbackChainState,
  type StepStatus,
} from './fallback-chain';
export type { FallbackEventName, FallbackEvents, FallbackReason } from './fallback-events';
export {
  DEFAULT_FALLBACK_POLICY,
  FALLBACK_TRIGGERS,
  type FallbackAction,
  type FallbackPolicy,
  type FallbackPolicyOverrides,
  type FallbackTrigger,
  resolveFallbackPolicy,
  triggerOf,
} from './fallback-policy';
export type {
  FallbackChatResult,
  FallbackStepStreamEvent,
  FallbackStreamEvent,
  ServedBy,
} from './fallback-result';
export {
  createKeypool,
  KEYPOOL_PROVIDERS,
  Keypool,
  type KeypoolEvent,
  type KeypoolOptions,
  type KeypoolProvider,
  type KeypoolSnapshot,
  type KeypoolStatus,
  type ProviderStatus,
} from './keypool';
export type { BreakerFailureHint, BreakerState, StepBreaker } from './step-breaker';
