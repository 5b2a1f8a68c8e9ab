import type {
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ChatToolCallDelta,
  ProviderName,
  StreamCallOptions,
  StreamRestartEvent,
} from '@keypool/core';
import type { StepBreaker } from './step-breaker';

/** The per-call options the chain gives a step's `pool.chat`: its budget and its per-attempt hook. */
export type ChainChatOptions = Pick<
  CallOptions,
  'deadlineMs' | 'attemptTimeoutMs' | 'maxAttempts' | 'onAttempt'
>;

/** The per-call options the chain gives a step's `pool.stream`: the chat options and the stream timeouts. */
export type ChainStreamOptions = ChainChatOptions &
  Pick<StreamCallOptions<ChatStreamEvent>, 'firstChunkTimeoutMs' | 'idleTimeoutMs' | 'onFirstChunk'> & {
    /** Keys of this step that broke the answer being continued: the pool picks another key first. */
    avoidKeyIds?: readonly string[];
    /** Always `fail`: the chain continues broken streams itself, across steps, so a pool must not do it too. */
    onInterrupt?: 'fail';
  };

/** What a step's pool stream may yield: the unified events, and a `restart` announcement. */
export type ChainPoolStreamEvent = ChatStreamEvent | StreamRestartEvent | ChatToolCallDelta;

/**
 * What the chain needs of a pool: the core `KeyPool` (what `createOpenAIPool`, `createAnthropicPool`,
 * `createGeminiPool`, `createMistralPool` and `createKeyPool` return) satisfies it. The chain runs each step through the
 * pool's unified `chat`/`stream` and lists the step's attempts from their per-call `onAttempt` hook, so every attempt
 * is attributed to this call and its key, even when other calls share the pool.
 */
export interface ChainPool {
  readonly provider: ProviderName;
  /** The unified chat call; `ChatResult.keyId` names the serving key. */
  chat(request: ChatRequest, options?: ChainChatOptions): Promise<ChatResult>;
  /**
   * The unified stream: text deltas, then one `done` with the whole result. A pool that restarts an answer on its own
   * announces it with a `restart` event (the chain asks its pools not to, with `onInterrupt: 'fail'`, and copes if one
   * does).
   */
  stream(request: ChatRequest, options?: ChainStreamOptions): AsyncIterable<ChainPoolStreamEvent>;
}

/** One step of a chain: a pool and the model to ask it for, with that model's own options and budgets. */
export interface ChainStep {
  /** The pool that serves this step (any provider). */
  pool: ChainPool;
  /** The model this step asks for (replaces the request's `model`). */
  model: string;
  /** A name for events, results and errors. Default `provider:model`. */
  name?: string;
  /** This model's max output tokens; overrides the request's when set. */
  maxTokens?: number;
  /** This model's temperature; overrides the request's when set; `null` removes it (for models that reject it). */
  temperature?: number | null;
  /**
   * The model's context window in tokens. A context-length failure moves only to a later step with a larger
   * window; a step without one is never chosen after a context-length failure.
   */
  contextWindow?: number;
  /** Attempts the pool may make for this step (across keys and retries). Default: the pool's own budget. */
  maxAttempts?: number;
  /** One attempt's timeout on this step. Default: the chain's `attemptTimeoutMs`, else the pool's. */
  attemptTimeoutMs?: number;
  /** The longest this step may take, attempts and waits included; always capped by what is left of the chain's deadline. */
  deadlineMs?: number;
  /** Streams: the longest wait for the first chunk on this step. Default: the chain's `firstChunkTimeoutMs`. */
  firstChunkTimeoutMs?: number;
  /** Streams: the longest silence between chunks on this step. Default: the chain's `idleTimeoutMs`. */
  idleTimeoutMs?: number;
  /** This step's breaker (overrides the chain's `breaker` option); `false` for none. */
  breaker?: StepBreaker | false;
}

/** How events, results and errors name a step. */
export interface StepRef {
  /** The step's position in the chain, from 0. */
  index: number;
  name: string;
  provider: ProviderName;
  model: string;
}

/** The request a step sends: the caller's request with the step's model and model options. */
export function stepRequest(step: ChainStep, request: ChatRequest): ChatRequest {
  const out: ChatRequest = { ...request, model: step.model };
  if (step.maxTokens !== undefined) out.maxTokens = step.maxTokens;
  if (step.temperature === null) delete out.temperature;
  else if (step.temperature !== undefined) out.temperature = step.temperature;
  return out;
}
