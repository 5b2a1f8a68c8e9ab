import { type ClientErrorFactory, ROUTED_CLIENT_API_KEY, toClientError } from './client-error';
import type { AttemptKey, AttemptOutcome, CallOptions, KeyPool, StreamCallOptions } from './key-pool';
import { findSignal, modelOption, resolvePath, scrubbed } from './routed-call-helpers';
import { openStream } from './routed-stream';
import type { RoutedStreamContinuer } from './routed-stream-continuer';

/**
 * How one SDK method is routed through the pool. `path` is the dotted path from the client (`chat.completions.create`).
 */
export interface RoutedMethod<TChunk = unknown> {
  path: string;
  /** True when this call (given its arguments) returns a stream rather than a single answer. */
  streams?: (args: readonly unknown[]) => boolean;
  /** The arguments with the attempt's abort signal put where the SDK reads it. */
  withSignal(args: readonly unknown[], signal: AbortSignal): unknown[];
  /**
   * Optional: the arguments with the SDK's own per-request timeout set to the attempt's remaining time. Used instead
   * of `withSignal` for a non-streaming call whose caller passed no signal: a fresh AbortSignal per attempt costs the
   * SDKs tens of microseconds of bookkeeping, and there is nothing of the caller's to cancel. The engine still
   * enforces the attempt timeout and the deadline on its side.
   */
  withTimeout?(args: readonly unknown[], timeoutMs: number): unknown[];
  /**
   * True when the SDK honours the caller's own signal (left in the arguments) together with its timeout: then
   * `withTimeout` is used even when the caller passed a signal, so the SDK never sees a per-attempt signal.
   */
  timeoutKeepsCallerSignal?: boolean;
  /**
   * Optional: the per-request timeout the caller (or the client's options) gave the SDK for this call, in ms. The
   * engine enforces it with its own timer as the call's `requestTimeoutMs`, and a call that runs out of it fails with
   * the SDK's timeout error: an SDK's own timer is only a second line (some can be lost, see provider-mistral).
   */
  timeoutOf?(args: readonly unknown[]): number | undefined;
  /** Tokens to reserve for this call (tpm limits); defaults to none. */
  estimateTokens?(args: readonly unknown[]): number;
  /** Tokens a single answer used. */
  usageOf?(result: unknown): number | undefined;
  /** Reads rate-limit headers after a call (e.g. from a response object). */
  afterCall?(result: unknown, key: AttemptKey): void;
  /** Stream chunks: the text a chunk carries (kept as partial text when the stream breaks). */
  textOf?(chunk: TChunk): string | undefined;
  /** Stream chunks: tokens reported by a chunk. */
  chunkUsageOf?(chunk: TChunk): number | undefined;
  /** Stream chunks: true for the chunk that ends the answer properly. */
  isTerminal?(chunk: TChunk): boolean;
  /**
   * Optional: gives a routed stream the shape of the SDK's own stream (e.g. a `ReadableStream` for an SDK whose
   * streams are one). Receives the routed stream, already open (its first chunk arrived).
   */
  shapeStream?(stream: RoutedStream<TChunk>): unknown;
  /**
   * Optional: how the stream continues after a break when the pool opts in (`nativeStreams`); built with
   * `routedStreamContinuation` from `@keypool/core/native-streams`.
   */
  continuation?: RoutedStreamContinuer<TChunk>;
}

/**
 * What a routed non-streaming call returns: a promise of the SDK's answer that also keeps the SDK promise's
 * `withResponse()` / `asResponse()` when the SDK has them (openai, anthropic), answered from the attempt that won.
 */
export interface RoutedPromise<T> extends Promise<T> {
  withResponse(): Promise<{ data: T; response: Response; request_id?: string | null }>;
  asResponse(): Promise<Response>;
}

/** Options of the routed client. */
export interface PoolClientOptions {
  /** Per-call options applied to every routed call (deadline, attempt timeout...). */
  callOptions?: Omit<CallOptions, 'signal' | 'estimatedTokens'>;
  /** Stream options applied to every routed stream (idle timeout, first-chunk timeout). */
  streamOptions?: Pick<StreamCallOptions<unknown>, 'idleTimeoutMs' | 'firstChunkTimeoutMs'>;
  /**
   * Turns Keypool's errors into the SDK's own (see `toClientError`). Without it, routed calls throw Keypool's typed
   * errors.
   */
  errors?: ClientErrorFactory;
  /**
   * Routes every other function found under these resource paths (e.g. `files`, `batches`) with `route`, so methods
   * that reach the network never run on the key-less template. Paths listed in `except` stay unrouted.
   */
  routeAll?: { under: readonly string[]; except?: readonly string[]; route: Omit<RoutedMethod, 'path'> };
  /**
   * A property of the client that reads the masked form of the key that served the last routed call (e.g. `apiKey`);
   * before any call it reads `ROUTED_CLIENT_API_KEY`.
   */
  lastKeyProperty?: string;
  /** The secret a per-key client holds, to scrub it from the SDK errors its calls throw (headers and body too). */
  secretOf?: (client: never) => string | undefined;
}

/**
 * A routed stream: iterate it like the SDK's stream (`for await`), or drive it as an async generator (`next`,
 * `return`). `controller` aborts it.
 */
export interface RoutedStream<TChunk> extends AsyncGenerator<TChunk, void, undefined> {
  readonly controller: AbortController;
}

/**
 * Wraps an SDK client so that the listed methods run through the pool (rotation, cooldowns, limits) while everything
 * else (helpers, getters, other resources) passes through untouched to `template`, a client built for the first key.
 * Existing code keeps calling `client.chat.completions.create(...)`; only how the client is built changes.
 *
 * A streaming call resolves once the first chunk has arrived, so errors before it (rate limits, bad keys, outages)
 * rotate to another key; after it, a failure surfaces as a `StreamInterruptedError` with the partial text.
 */
export function createPoolClient<TClient extends object>(
  pool: KeyPool<TClient>,
  template: TClient,
  methods: readonly RoutedMethod[],
  options: PoolClientOptions = {},
): TClient {
  const routes = new Map(methods.map((method) => [method.path, method]));
  const prefixes = new Set<string>();
  for (const method of methods) {
    const parts = method.path.split('.');
    for (let length = 1; length < parts.length; length++) prefixes.add(parts.slice(0, length).join('.'));
  }

  let lastMasked: string | undefined;
  const call = (route: RoutedMethod, args: unknown[]): Promise<unknown> => {
    const userSignal = findSignal(args);
    const estimatedTokens = route.estimateTokens?.(args);
    const requestTimeoutMs = route.timeoutOf?.(args);
    const attempts: AttemptOutcome[] = [];
    const onAttempt = (attempt: AttemptOutcome) => {
      attempts.push(attempt);
      if (attempt.outcome === 'success') lastMasked = attempt.masked;
      options.callOptions?.onAttempt?.(attempt);
    };
    const convert = (error: unknown): never => {
      throw options.errors ? toClientError(error, attempts, options.errors) : error;
    };
    if (route.streams?.(args)) {
      return openStream(
        pool,
        route,
        args,
        userSignal,
        { estimatedTokens, requestTimeoutMs },
        options,
        onAttempt,
        convert,
      );
    }
    const settled = pool.execute(
      async (client, key) => {
        const method = resolvePath(client, route.path);
        const input =
          route.withTimeout &&
          Number.isFinite(key.timeoutMs) &&
          (!userSignal || route.timeoutKeepsCallerSignal)
            ? route.withTimeout(args, Math.max(1, Math.ceil(key.timeoutMs)))
            : route.withSignal(args, key.signal);
        let answer: WithResponse;
        try {
          const pending = (method.fn as (...input: unknown[]) => Promise<unknown>).apply(
            method.owner,
            input,
          ) as Promise<unknown> & {
            withResponse?: () => Promise<WithResponse>;
          };
          // Keep the raw response when the SDK offers it, so `withResponse()` still works on the routed call.
          answer =
            typeof pending.withResponse === 'function'
              ? await pending.withResponse()
              : { data: await pending };
        } catch (error) {
          throw scrubbed(error, client, options);
        }
        const used = route.usageOf?.(answer.data);
        if (used !== undefined) key.reportUsage(used);
        route.afterCall?.(answer.data, key);
        return answer;
      },
      {
        ...options.callOptions,
        ...(userSignal ? { signal: userSignal } : {}),
        ...(estimatedTokens !== undefined ? { estimatedTokens } : {}),
        ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
        ...modelOption(args),
        onAttempt,
      },
    );
    return routedPromise(settled.catch(convert));
  };

  const routeAll = options.routeAll;
  const routeOf = (path: string): RoutedMethod | undefined => {
    const listed = routes.get(path);
    if (listed || !routeAll || routeAll.except?.includes(path)) return listed;
    const parent = path.slice(0, path.lastIndexOf('.'));
    if (!routeAll.under.some((prefix) => parent === prefix || parent.startsWith(`${prefix}.`)))
      return undefined;
    const generic = { ...routeAll.route, path };
    routes.set(path, generic);
    return generic;
  };
  const routedPrefix = (path: string): boolean =>
    prefixes.has(path) ||
    (routeAll?.under.some((prefix) => path === prefix || path.startsWith(`${prefix}.`)) ?? false);

  // One proxy per (object, path) and one member per property, made once: property access stays cheap.
  const proxies = new Map<string, WeakMap<object, object>>();
  const wrap = (target: object, path: string): object => {
    let cache = proxies.get(path);
    if (!cache) {
      cache = new WeakMap();
      proxies.set(path, cache);
    }
    const cached = cache.get(target);
    if (cached) return cached;
    const members = new Map<string, { value: unknown; member: unknown }>();
    const proxy = new Proxy(target, {
      get(object, property, receiver) {
        if (path === '' && property === options.lastKeyProperty) return lastMasked ?? ROUTED_CLIENT_API_KEY;
        const value = Reflect.get(object, property, receiver);
        if (
          typeof property !== 'string' ||
          (typeof value !== 'function' && (value === null || typeof value !== 'object'))
        ) {
          return value;
        }
        const known = members.get(property);
        if (known && known.value === value) return known.member;
        const childPath = path ? `${path}.${property}` : property;
        const route = typeof value === 'function' ? routeOf(childPath) : undefined;
        let member: unknown;
        if (route && typeof value === 'function') member = (...args: unknown[]) => call(route, args);
        else if (routedPrefix(childPath) && typeof value === 'object') member = wrap(value, childPath);
        else if (typeof value === 'function') member = value.bind(object);
        else return value;
        members.set(property, { value, member });
        return member;
      },
    });
    cache.set(target, proxy);
    return proxy;
  };

  return wrap(template, '') as TClient;
}

interface WithResponse {
  data: unknown;
  response?: Response;
  request_id?: string | null;
}

function routedPromise(settled: Promise<WithResponse>): RoutedPromise<unknown> {
  const data = settled.then((answer) => answer.data) as RoutedPromise<unknown>;
  data.withResponse = () =>
    settled.then((answer) => {
      if (!answer.response) throw new TypeError('withResponse() is not available for this SDK method');
      return answer as { data: unknown; response: Response; request_id?: string | null };
    });
  data.asResponse = () => data.withResponse().then((answer) => answer.response);
  // A caller that only uses `withResponse()` never awaits `data`: its rejection must not go unhandled.
  data.catch(() => undefined);
  return data;
}
