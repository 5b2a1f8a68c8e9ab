/**
 * `@keypool/core/engine`: the lean engine for edge bundles. `createPoolEngine` rotates keys with every strategy,
 * enforces limits (configured, learned from headers), applies cooldowns, thresholds and the policy table, fails over
 * to another key for calls and for streams until their first chunk, and emits the same typed events as a `KeyPool`.
 * Plug-ins are given as values, so a bundle carries only what it uses: a strategy other than the default (`health`)
 * as a selector (`strategy: prioritySelector()`), and rates learned from 429s alone as
 * `adaptiveLimits: adaptiveLimiter()` (off unless given). It lacks what `KeyPool` (the main entry) adds: run-time key
 * administration (`addKey`, `removeKey`, `updateKey`, `updateKeySecret`, `setPrimaryKey`), leases (`acquire`), saved
 * state (`toJSON`, `restore`, `initialState`), failure history, and streams continued after a break.
 * `src/bundle-size.test.ts` measures it.
 */
export type { AttemptContext, ProviderAdapter } from './adapter';
export { type AdaptiveLimiter, adaptiveLimiter } from './adaptive-limit';
export type { ErrorCategory, ProviderName } from './categories';
export type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ChatStreamPart,
  ChatUsage,
} from './chat';
export type { ClassifiedError } from './classified-error';
export { classifyHttpFailure, type HttpFailure } from './classify-http-failure';
export type { KeyConfig, KeyLimits, StrategyName } from './config';
export {
  ConfigError,
  type ConfigIssue,
  KeypoolError,
  PoolExhaustedError,
  ProviderError,
  StreamInterruptedError,
} from './errors';
export type { PoolEventName, PoolEvents } from './events';
export type { KeySnapshot } from './key-snapshot';
export {
  createPoolEngine,
  KEY_POOL_ONLY_OPTIONS,
  PoolEngine,
  type PoolEngineOptions,
} from './pool-engine';
export type { AttemptKey, AttemptOutcome, CallOptions, StreamCallOptions } from './pool-options';
export type { EngineStreamOptions, PoolStreamEvent } from './pool-stream';
export type { RateLimitInfo } from './rate-limit-info';
export {
  healthSelector,
  type KeySelector,
  latencySelector,
  leastUsedSelector,
  prioritySelector,
  randomSelector,
  roundRobinSelector,
  weightedSelector,
} from './selectors';
export type { StateStore } from './state-store';
