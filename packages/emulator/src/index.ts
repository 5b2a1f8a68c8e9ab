export type { Answer } from './answer.ts';
export { buildAnswer } from './answer.ts';
export { type CannedAnswer, type CannedHttpServer, startCannedHttpServer } from './canned-http-server.ts';
export type {
  ConfigProblem,
  EmulatorConfig,
  KeyBehaviour,
  ModelBehaviour,
  OutageBehaviour,
  ResolvedEmulatorConfig,
} from './config.ts';
export {
  EmulatorConfigError,
  emulatorConfigSchema,
  keyBehaviourSchema,
  modelBehaviourSchema,
  parseEmulatorConfig,
} from './config.ts';
export { estimateTokens } from './estimate-tokens.ts';
export type { LimitStatus, RateLimitSnapshot } from './key-state.ts';
export type { ProviderName } from './provider-dialect.ts';
export { formatGoDuration } from './rate-limit-headers.ts';
export { type RawAnswer, type RawAnswerServer, startRawAnswerServer } from './raw-answer-server.ts';
export type { RequestLogEntry, RequestOutcome } from './request-log.ts';
export type { Emulator, EmulatorBaseURLs } from './server.ts';
export { startEmulator } from './server.ts';
