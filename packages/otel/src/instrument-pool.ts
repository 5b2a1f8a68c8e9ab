import type {
  AttemptOutcome,
  CallOptions,
  ChatRequest,
  ChatResult,
  KeyPool,
  PoolEvent,
  PoolStreamEvent,
  StreamCallOptions,
} from '@keypool/core';
import { observe } from '@keypool/core';
import {
  type Attributes,
  context,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { ATTR, genAiProvider } from './keypool-attributes';
import { type KeypoolMetrics, keypoolMetrics } from './keypool-metrics';

/** Options of `instrumentPool` and `instrumentChain`. */
export interface InstrumentOptions {
  /** Where spans go. Default: the global provider (a no-op until the app registers an SDK). */
  tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global provider. */
  meterProvider?: MeterProvider;
}

/** The call span a pool's chat/stream passes down to `execute` through its options (object spread keeps symbols). */
const CALL_SPAN = Symbol.for('keypool.otel.callSpan');
type Traced = { [CALL_SPAN]?: Span };

const SCOPE = '@keypool/otel';
const PATCHED = Symbol.for('keypool.otel.instrumented');

/** The tracer of this package from a provider (or the global one). */
export function keypoolTracer(options: InstrumentOptions): Tracer {
  return (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
}

function attemptHook(tracer: Tracer, call: Span, base: Attributes, previous: CallOptions['onAttempt']) {
  return (attempt: AttemptOutcome) => {
    const span = tracer.startSpan(
      `attempt ${attempt.attempt}`,
      {
        kind: SpanKind.CLIENT,
        startTime: attempt.startedAt,
        attributes: {
          ...base,
          [ATTR.attempt]: attempt.attempt,
          [ATTR.keyId]: attempt.keyId,
          [ATTR.keyMasked]: attempt.masked,
          [ATTR.outcome]: attempt.outcome,
          ...(attempt.category
            ? { [ATTR.category]: attempt.category, [ATTR.errorType]: attempt.category }
            : {}),
        },
      },
      trace.setSpan(context.active(), call),
    );
    if (attempt.outcome === 'failure')
      span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.category });
    else {
      call.setAttribute(ATTR.keyId, attempt.keyId);
      call.setAttribute(ATTR.keyMasked, attempt.masked);
    }
    call.setAttribute(ATTR.attempts, attempt.attempt);
    span.end(attempt.startedAt + attempt.durationMs);
    previous?.(attempt);
  };
}

function fail(span: Span, error: unknown): void {
  const category = (error as { category?: string })?.category;
  span.setAttribute(ATTR.errorType, category ?? (error as Error)?.name ?? 'Error');
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

function resultAttributes(span: Span, result: ChatResult): void {
  span.setAttributes({
    [ATTR.responseModel]: result.model,
    [ATTR.inputTokens]: result.usage.inputTokens,
    [ATTR.outputTokens]: result.usage.outputTokens,
    [ATTR.finishReasons]: [result.finishReason],
    ...(result.requestId ? { [ATTR.responseId]: result.requestId } : {}),
  });
}

/**
 * Traces and measures a pool through `@opentelemetry/api` only (no-op unless the app installs an SDK). Each call
 * (`chat`, `stream`, `execute`, `run`, and every routed method of `pool.client`) gets a span named after the GenAI
 * conventions (`chat gpt-4o`, or `keypool openai` for native calls) with one child span per attempt (key id, masked
 * key, attempt number, category). Metrics come from the pool's events: requests, failures by category, 429s,
 * cooldowns, duration and token usage, labelled by provider, model and key. Returns the function that undoes it.
 */
export function instrumentPool(pool: KeyPool, options: InstrumentOptions = {}): () => void {
  const target = pool as KeyPool & { [PATCHED]?: boolean };
  if (target[PATCHED]) throw new Error(`the ${pool.provider} pool is instrumented already`);
  target[PATCHED] = true;
  const tracer = keypoolTracer(options);
  const meters: KeypoolMetrics = keypoolMetrics(options.meterProvider ?? metrics.getMeterProvider());
  const provider = genAiProvider(pool.provider);
  const base = { [ATTR.providerName]: provider, [ATTR.system]: provider };
  const original = {
    execute: pool.execute,
    executeStream: pool.executeStream,
    chat: pool.chat,
    stream: pool.stream,
  };
  let eventsCarryUsage = false;

  const withHook = <T extends CallOptions>(options: T, span: Span): T => ({
    ...options,
    [CALL_SPAN]: span,
    onAttempt: attemptHook(tracer, span, base, options.onAttempt),
  });

  pool.execute = ((operation, callOptions = {}) => {
    const inherited = (callOptions as Traced)[CALL_SPAN];
    if (inherited) return original.execute.call(pool, operation, callOptions) as never;
    return tracer.startActiveSpan(
      `keypool ${pool.provider}`,
      { kind: SpanKind.CLIENT, attributes: base },
      async (span) => {
        try {
          return await original.execute.call(pool, operation, withHook(callOptions, span));
        } catch (error) {
          fail(span, error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }) as KeyPool['execute'];

  pool.chat = ((request: ChatRequest, callOptions = {}) => {
    const attributes = { ...base, [ATTR.operationName]: 'chat', [ATTR.requestModel]: request.model };
    return tracer.startActiveSpan(
      `chat ${request.model}`,
      { kind: SpanKind.CLIENT, attributes },
      async (span) => {
        try {
          const result = await original.chat.call(pool, request, withHook(callOptions, span));
          resultAttributes(span, result);
          if (!eventsCarryUsage)
            meters.tokens(attributesOf(provider, result.model, result.keyId), result.usage);
          return result;
        } catch (error) {
          fail(span, error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }) as KeyPool['chat'];

  pool.executeStream = (<TChunk>(
    open: Parameters<KeyPool['executeStream']>[0],
    callOptions: StreamCallOptions<TChunk> = {},
  ) => {
    const run = original.executeStream as (
      open: unknown,
      options: StreamCallOptions<TChunk>,
    ) => AsyncGenerator<TChunk, void, undefined>;
    if ((callOptions as Traced)[CALL_SPAN]) return run.call(pool, open, callOptions);
    const span = tracer.startSpan(`keypool ${pool.provider}`, { kind: SpanKind.CLIENT, attributes: base });
    return tracedStream(span, run.call(pool, open, withHook(callOptions, span)));
  }) as KeyPool['executeStream'];

  pool.stream = ((request: ChatRequest, callOptions = {}) => {
    const attributes = { ...base, [ATTR.operationName]: 'chat', [ATTR.requestModel]: request.model };
    const span = tracer.startSpan(`chat ${request.model}`, { kind: SpanKind.CLIENT, attributes });
    return tracedStream(
      span,
      original.stream.call(pool, request, withHook(callOptions, span)),
      (event: PoolStreamEvent) => {
        if (event.type !== 'done') return;
        resultAttributes(span, event.result);
        if (!eventsCarryUsage)
          meters.tokens(attributesOf(provider, event.result.model, event.result.keyId), event.result.usage);
      },
    );
  }) as KeyPool['stream'];

  const unsubscribe = pool.onAny((raw: PoolEvent) => {
    const event = observe(raw);
    if (event.type === 'request.success' && event.usage) eventsCarryUsage = true;
    meters.record(provider, event);
  });

  return () => {
    unsubscribe();
    for (const name of Object.keys(original)) delete (pool as unknown as Record<string, unknown>)[name];
    target[PATCHED] = false;
  };
}

function attributesOf(provider: string, model: string | undefined, keyId: string): Attributes {
  return {
    [ATTR.providerName]: provider,
    ...(model ? { [ATTR.requestModel]: model } : {}),
    [ATTR.keyId]: keyId,
  };
}

async function* tracedStream<T>(
  span: Span,
  source: AsyncGenerator<T, void, undefined>,
  onChunk?: (chunk: T) => void,
) {
  let failed = false;
  try {
    for await (const chunk of source) {
      onChunk?.(chunk);
      yield chunk;
    }
  } catch (error) {
    failed = true;
    fail(span, error);
    throw error;
  } finally {
    if (!failed && span.isRecording()) span.setAttribute(ATTR.outcome, 'success');
    span.end();
  }
}
