import { type ClientErrorFactory, ROUTED_CLIENT_API_KEY, scrubSdkError, toClientError } from './client-error';
import { firstEventResponse, rebuiltResponse } from './first-event-response';
import type { AttemptKey, AttemptOutcome, CallOptions, KeyPool } from './key-pool';
import type { PoolClientOptions } from './pool-client';
import { remainingDeadline } from './pool-stream';
import type { RoutedResponseContinuer } from './routed-stream-continuer';

/** The request options a Stainless-generated SDK (openai, @anthropic-ai/sdk) passes to its `makeRequest`. */
export interface SdkRequestOptions {
  method: string;
  path: string;
  body?: unknown;
  stream?: boolean;
  timeout?: number;
  maxRetries?: number;
  signal?: AbortSignal | null;
  __binaryResponse?: boolean;
  [field: string]: unknown;
}

/** What `makeRequest` resolves with: the response (headers in, body unread) and the request's controller. */
export interface SdkResponseProps {
  response: Response;
  options: SdkRequestOptions;
  controller: AbortController;
  [field: string]: unknown;
}

/**
 * A client whose every HTTP request passes through one method, `makeRequest`, as in the Stainless-generated SDKs
 * (openai, @anthropic-ai/sdk): resources, pagination, stream helpers and raw responses are all built on it.
 */
export interface RequestRoutableClient {
  makeRequest(
    options: SdkRequestOptions | Promise<SdkRequestOptions>,
    retriesRemaining: number | null,
    retryOfRequestLogID?: string,
    ...rest: unknown[]
  ): Promise<SdkResponseProps>;
  withOptions(options: Record<string, unknown>): RequestRoutableClient;
  readonly timeout: number;
}

/** What a provider brings to `routeClientRequests`. */
export interface RequestRoutingParts<TClient> {
  /** Builds the SDK's own errors from Keypool's (see `toClientError`). */
  errors: ClientErrorFactory;
  /** The secret a per-key client holds, to scrub it from the errors it throws. */
  secretOf(client: TClient): string | undefined;
  /** Tokens to reserve for a request before it is sent (tpm limits); undefined for none. */
  estimateTokens?(options: SdkRequestOptions): number | undefined;
  /** Tokens a JSON answer used, read from its parsed body. */
  usageOf?(body: unknown): number | undefined;
  /** Per-call options of every routed request (deadline, attempt timeout, attempt budget...). */
  callOptions?: PoolClientOptions['callOptions'];
  /** The pool's `maxAttempts` option, if set: the most attempts a caller's `maxRetries` can ask for. */
  poolMaxAttempts?: number;
  /** Longest silence between two parts of a stream after its first event; then it fails with the SDK's timeout error. */
  streamIdleTimeoutMs?: number;
  /** Longest wait for a stream's first event, per attempt (instead of the attempt timeout). */
  streamFirstEventTimeoutMs?: number;
  /** Options of `withOptions()` that the pool owns and refuses (the key, the fetch that scrubs secrets). */
  ownedOptions?: readonly string[];
  /**
   * How streamed requests continue after a break when the pool opts in (`nativeStreams`); built with
   * `routedResponseContinuation` from `@keypool/core/native-streams`.
   */
  streamContinuation?: RoutedResponseContinuer;
}

interface RoutingState {
  lastMasked: string | undefined;
}

/**
 * Makes `template` (an SDK client that holds no real key) send every request through the pool: its `makeRequest` runs
 * on the client of the key the engine picked, with rotation, cooldowns, limits and the SDK's own retries off. Every
 * method that reaches the network (chat, responses, embeddings, models, files, batches, pagination, the stream
 * helpers) is routed, and what the caller gets back is the SDK's own `APIPromise`, `Stream`, page and error classes.
 *
 * - A streaming request resolves once its first server-sent event has arrived, so failures before it rotate keys.
 * - A JSON answer is read within its attempt (so a cut body rotates too, and its usage is counted), then handed to
 *   the SDK as an unread `Response`: `asResponse()` and `withResponse()` work as natively.
 * - Per-request `timeout` is the SDK's (its own timeout error), capped by the attempt's remaining time; per-request
 *   `maxRetries` caps the attempts; `signal`, `headers`, `query` and idempotency keys pass through.
 * - Failures are the SDK's own errors with a `keypool` view (`toClientError`), scrubbed of secrets.
 * - `withOptions()` returns a routed client with the new defaults; `apiKey` reads the masked key of the last call.
 */
export function routeClientRequests<TClient extends object>(
  pool: KeyPool<TClient>,
  template: TClient,
  parts: RequestRoutingParts<TClient>,
): TClient {
  return install(pool, template, parts, (client) => client, undefined, { lastMasked: undefined });
}

function install<TClient extends object>(
  pool: KeyPool<TClient>,
  template: TClient,
  parts: RequestRoutingParts<TClient>,
  derive: (client: TClient) => TClient,
  defaultMaxRetries: number | undefined,
  state: RoutingState,
): TClient {
  const target = template as unknown as RequestRoutableClient;
  const baseWithOptions = target.withOptions.bind(target);

  const makeRequest = async (input: SdkRequestOptions | Promise<SdkRequestOptions>) => {
    const options: SdkRequestOptions = { ...(await input) };
    const attempts: AttemptOutcome[] = [];
    const maxRetries = options.maxRetries ?? defaultMaxRetries;
    const estimatedTokens = parts.estimateTokens?.(options);
    const model = (options.body as { model?: unknown } | undefined)?.model;
    const callOptions: CallOptions = {
      ...parts.callOptions,
      // The model's scope decides which rate-limit state applies.
      ...(typeof model === 'string' ? { model } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(estimatedTokens !== undefined ? { estimatedTokens } : {}),
      ...(maxRetries !== undefined ? { maxAttempts: cappedAttempts(pool, parts, maxRetries) } : {}),
      ...(options.stream && parts.streamFirstEventTimeoutMs !== undefined
        ? { attemptTimeoutMs: parts.streamFirstEventTimeoutMs }
        : {}),
      onAttempt: (attempt) => {
        attempts.push(attempt);
        parts.callOptions?.onAttempt?.(attempt);
      },
    };
    // Only a stream can be continued (nativeStreams), so only a stream needs its start time.
    const startedAt = options.stream ? Date.now() : 0;
    const send = async (sent: SdkRequestOptions, continuation?: CallOptions) => {
      let keyId = '';
      const props = await pool.execute(
        async (client, key) => {
          const perKey = derive(client);
          const answer = await sendOnKey(perKey as unknown as RequestRoutableClient, sent, key).catch(
            (error: unknown) => {
              throw scrubSdkError(error, secretsOf(parts.secretOf(perKey)));
            },
          );
          const settled = await settleBody(answer, sent, key, parts);
          state.lastMasked = key.masked;
          keyId = key.id;
          return settled;
        },
        continuation ? { ...callOptions, ...continuation } : callOptions,
      );
      return { props, keyId };
    };
    try {
      const { props, keyId } = await send(options);
      if (!options.stream) return props;
      // With `nativeStreams`, a break after the first event is continued on another key inside this body.
      // The consumer's own stop (the SDK aborts the request's controller) is never a break to continue.
      const signal = AbortSignal.any([props.controller.signal, ...(options.signal ? [options.signal] : [])]);
      const continued = parts.streamContinuation?.continueResponse(
        pool,
        { ...options, signal },
        { response: props.response, keyId },
        async (body, avoidKeyIds) => {
          // A continuation gets what is left of the call's deadline, not a fresh one.
          const deadlineMs = remainingDeadline(pool, callOptions.deadlineMs, startedAt);
          const next = await send(
            { ...options, body, signal },
            { avoidKeyIds, ...(deadlineMs !== undefined ? { deadlineMs } : {}) },
          );
          return { response: next.props.response, keyId: next.keyId };
        },
      );
      return continued ? { ...props, response: continued } : props;
    } catch (error) {
      throw toClientError(error, attempts, parts.errors);
    }
  };

  const withOptions = (overrides: Record<string, unknown> = {}) => {
    for (const owned of parts.ownedOptions ?? []) {
      if (overrides[owned] !== undefined) {
        throw new TypeError(
          `pool.client.withOptions(): "${owned}" is set by the key pool, not per client (configure it on the pool)`,
        );
      }
    }
    const { maxRetries, ...rest } = overrides;
    const sdkOptions = { ...rest, maxRetries: 0 };
    const derived = new WeakMap<object, TClient>();
    const deriveKey = (client: TClient): TClient => {
      const base = derive(client);
      let child = derived.get(base);
      if (!child) {
        child = (base as unknown as RequestRoutableClient).withOptions(sdkOptions) as unknown as TClient;
        derived.set(base, child);
      }
      return child;
    };
    const next = typeof maxRetries === 'number' ? maxRetries : defaultMaxRetries;
    return install(pool, baseWithOptions(sdkOptions) as unknown as TClient, parts, deriveKey, next, state);
  };

  Object.defineProperty(template, 'makeRequest', { value: makeRequest, configurable: true, writable: true });
  Object.defineProperty(template, 'withOptions', { value: withOptions, configurable: true, writable: true });
  Object.defineProperty(template, 'apiKey', {
    configurable: true,
    get: () => state.lastMasked ?? ROUTED_CLIENT_API_KEY,
    set: () => {
      throw new TypeError(
        'pool.client.apiKey is read-only: the key pool picks the key (add keys with pool.addKey)',
      );
    },
  });
  return template;
}

async function sendOnKey(
  client: RequestRoutableClient,
  options: SdkRequestOptions,
  key: AttemptKey,
): Promise<SdkResponseProps> {
  const requested = options.timeout ?? client.timeout;
  const timeout = Number.isFinite(key.timeoutMs)
    ? Math.max(1, Math.ceil(Math.min(requested ?? Infinity, key.timeoutMs)))
    : requested;
  return client.makeRequest({ ...options, maxRetries: 0, ...(timeout !== undefined ? { timeout } : {}) }, 0);
}

/** Reads the first event of a stream, or a whole JSON answer, inside the attempt (see `routeClientRequests`). */
async function settleBody<TClient>(
  props: SdkResponseProps,
  options: SdkRequestOptions,
  key: AttemptKey,
  parts: RequestRoutingParts<TClient>,
): Promise<SdkResponseProps> {
  const { response } = props;
  const stopOnAbort = () => props.controller.abort(key.signal.reason);
  key.signal.addEventListener('abort', stopOnAbort, { once: true });
  try {
    if (options.stream) {
      const idle = parts.streamIdleTimeoutMs;
      return {
        ...props,
        response: await firstEventResponse(response, {
          ...(idle !== undefined ? { idleTimeoutMs: idle } : {}),
          idleError: () => parts.errors.timeoutError(),
        }),
      };
    }
    const type = response.headers.get('content-type') ?? '';
    if (options.__binaryResponse || !type.includes('json') || !response.body) return props;
    const bytes = await response.arrayBuffer();
    if (parts.usageOf) {
      try {
        const used = parts.usageOf(JSON.parse(new TextDecoder().decode(bytes)));
        if (used !== undefined) key.reportUsage(used);
      } catch {
        // Not JSON after all: the SDK reports that to the caller as it would natively.
      }
    }
    return { ...props, response: rebuiltResponse(response, bytes) };
  } finally {
    key.signal.removeEventListener('abort', stopOnAbort);
  }
}

function secretsOf(secret: string | undefined): string[] {
  return secret ? [secret] : [];
}

/** The caller's `maxRetries` as a cap on the call's attempts (never more than the pool would make anyway). */
function cappedAttempts<TClient>(
  pool: KeyPool<TClient>,
  parts: RequestRoutingParts<TClient>,
  maxRetries: number,
): number {
  const wanted = Math.max(1, Math.floor(maxRetries) + 1);
  // The pool's own budget: its `maxAttempts` option, else the documented default (keys + 2, at most 10).
  const budget =
    parts.callOptions?.maxAttempts ?? parts.poolMaxAttempts ?? Math.min(pool.keyIds().length + 2, 10);
  return Math.min(wanted, budget);
}
