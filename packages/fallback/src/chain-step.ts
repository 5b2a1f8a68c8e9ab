import type {
  AttemptKey,
  CallOptions,
  ChatRequest,
  ChatResult,
  ChatStreamPart,
  ClassifiedError,
  ProviderName,
  StreamCallOptions,
} from '@keypool/core';
import type { StepBreaker } from './step-breaker';

/**
 * What the chain needs of a pool: the core `KeyPool` (what `createOpenAIPool`, `createAnthropicPool`,
 * `createGeminiPool`, `createMistralPool` and `createKeyPool` return) satisfies it. The chain runs the pool's unified
 * calls through `execute`/`executeStream` (exactly what `pool.chat`/`pool.stream` do) so that every attempt is
 * attributed to this call and its key, even when other calls share the pool.
 */
export interface ChainPool<TClient = unknown> {
  readonly provider: ProviderName;
  readonly adapter: {
    chat(
      client: TClient,
      request: ChatRequest,
      context: AttemptContextLike,
    ): Promise<Omit<ChatResult, 'keyId' | 'provider'>>;
    stream(client: TClient, request: ChatRequest, context: AttemptContextLike): AsyncIterable<ChatStreamPart>;
    classifyError(error: unknown): ClassifiedError;
    estimateTokens?(request: ChatRequest): number;
  };
  execute<T>(operation: (client: TClient, key: AttemptKey) => Promise<T>, options?: CallOptions): Promise<T>;
  executeStream<TChunk>(
    open: (client: TClient, key: AttemptKey) => AsyncIterable<TChunk> | Promise<AsyncIterable<TChunk>>,
    options?: StreamCallOptions<TChunk>,
  ): AsyncGenerator<TChunk, void, undefined>;
}

/** The per-attempt context an adapter's unified call receives (core's `AttemptContext`). */
export interface AttemptContextLike {
  signal: AbortSignal;
  keyId: string;
  reportRateLimit: AttemptKey['reportRateLimit'];
  reportUsage: AttemptKey['reportUsage'];
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
