import type { ProviderName } from './categories';
import type { ChatRequest, ChatResult, ChatStreamPart, ChatToolStreamPart } from './chat';
import type { ClassifiedError } from './classified-error';
import type { RateLimitInfo } from './rate-limit-info';
import type { MalformedStreamEvent } from './skip-malformed-events';

/** What an adapter gets for one attempt of a unified call. */
export interface AttemptContext {
  /** Aborts on the caller's signal, the attempt timeout or the total deadline. Pass it to the SDK. */
  signal: AbortSignal;
  /** The id of the key this attempt uses. */
  keyId: string;
  /** Report rate-limit headers read from the response (success or failure), so the engine learns capacity. */
  reportRateLimit(info: RateLimitInfo): void;
  /** Report real token usage when the call is not a unified chat (e.g. a native SDK call). */
  reportUsage(totalTokens: number): void;
}

/** Hooks the pool gives a client it builds for one key. */
export interface ClientHooks {
  /**
   * Report rate-limit headers seen on any response of this key's client (wrap the SDK's `fetch` to read them), so
   * the engine learns each key's real remaining capacity from native calls too.
   */
  reportRateLimit(info: RateLimitInfo): void;
  /**
   * Report a stream event whose data was not valid JSON. When given, provider clients wrap streaming responses with
   * `skipMalformedEvents`: an event that cannot have carried answer text is dropped and the stream goes on.
   */
  reportMalformedEvent?(event: MalformedStreamEvent): void;
}

/**
 * The contract between the engine and one provider's SDK. A provider package implements it in a few small
 * functions: build a client per key, classify errors, read rate-limit headers, and the unified chat and stream.
 * Adapters only classify errors; the engine decides what happens.
 */
export interface ProviderAdapter<TClient = unknown> {
  /** The provider's name, e.g. `openai`. */
  readonly provider: ProviderName;
  /**
   * Switches the adapter's current key, as a single-key app would. The engine never uses this for its calls: it
   * builds one client per key with `createClient`, so concurrent calls never share a mutable client.
   */
  setApiKey(secret: string): void;
  /**
   * Builds a client bound to one key, with the SDK's own retries off. The pool calls it once per key and keeps it.
   * `hooks` (given by the pool) lets the client report rate-limit headers; a client built without hooks skips that.
   */
  createClient(secret: string, hooks?: ClientHooks): TClient;
  /**
   * The model scope a model's rate limits belong to: providers limit per key and model (or model class). Default: the
   * model itself. Anthropic, for example, limits per model class.
   */
  modelScope?(model: string): string;
  /** Classifies anything a call threw. Pure; the message it returns holds no secret. */
  classifyError(error: unknown): ClassifiedError;
  /** Reads rate-limit info from response headers; undefined when there is none. */
  parseRateLimitHeaders?(
    headers: Headers | Record<string, string | string[] | undefined>,
  ): RateLimitInfo | undefined;
  /** One unified chat call on `client`. */
  chat(
    client: TClient,
    request: ChatRequest,
    context: AttemptContext,
  ): Promise<Omit<ChatResult, 'keyId' | 'provider'>>;
  /**
   * One unified streaming call on `client`. Errors before the first part may be retried on another key; errors after
   * it surface as `StreamInterruptedError`. The stream must end with exactly one `done` part; a stream that ends
   * without one is treated as interrupted.
   */
  stream(client: TClient, request: ChatRequest, context: AttemptContext): AsyncIterable<ChatStreamPart>;
  /**
   * The full unified stream: like `stream`, plus a `tool_call_delta` part for each piece of a tool call. `stream`
   * is this stream without those parts (their calls still arrive assembled on `done`). Used by `streamChat`.
   */
  streamWithTools?(
    client: TClient,
    request: ChatRequest,
    context: AttemptContext,
  ): AsyncIterable<ChatToolStreamPart>;
  /**
   * Throws `UnsupportedFeatureError` when the request asks for something this provider cannot do (a seed on
   * Anthropic, a document by URL on OpenAI...). Pure and synchronous; `chat`/`stream` call it too, so nothing is sent.
   */
  validateRequest?(request: ChatRequest): void;
  /** Estimates a request's tokens for tpm reservations (defaults to about four characters a token). */
  estimateTokens?(request: ChatRequest): number;
}
