export { classifyAiSdkError } from './classify-ai-sdk-error';
export { type ChatTarget, createKeypoolModel, type KeypoolModelOptions } from './keypool-language-model';
export {
  createRotatingModel,
  type RotatingLanguageModel,
  type RotatingModelOptions,
} from './rotating-language-model';
export { type ConvertedCall, toChatRequest } from './to-chat-request';
export type { ServedStep, TargetResult } from './to-language-model-result';
export type { RestartMapping, TargetStreamEvent } from './to-stream-parts';
