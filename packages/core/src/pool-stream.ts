import type { ProviderName } from './categories';
import type { ChatRequest, ChatResult, ChatStreamEvent } from './chat';
import { ContinuationCapabilities, type ContinuationRule } from './continuation-capabilities';
import type { ContinuedStreamEvent, StreamContinuationEvent } from './continued-stream-event';
import type { PoolEventFields, PoolEventName } from './events';
import type { PoolCore } from './pool-core';
import type { KeyPoolOptions, StreamCallOptions } from './pool-options';
import { continueStream, type InterruptMode } from './stream-continuation';

/** How a pool's streams survive a break (the pool's `continuation` option, or one call's). */
export interface PoolContinuationOptions {
  /** Your capability rules (checked before the built-in ones), or a shared table. */
  capabilities?: ContinuationCapabilities | readonly ContinuationRule[];
  /** Breaks survived per call before it ends with `StreamInterruptedError`. Default 3. */
  maxContinuations?: number;
  /** Prefill words a continuation may repeat before going on (they are trimmed). Default 4. */
  maxOverlapWords?: number;
}

/** The engine's per-call stream options that `pool.stream` takes (it sets the chunk hooks itself). */
export type EngineStreamOptions = Omit<
  StreamCallOptions<ChatStreamEvent>,
  'signal' | 'textOf' | 'usageOf' | 'isTerminal'
>;

/** Options of one `pool.stream` call: the engine's call options, and how a break after output is survived. */
export interface PoolStreamOptions extends EngineStreamOptions {
  /**
   * Overrides the pool's `onInterrupt` for this call: `continue` (default) continues the answer by prefill where the
   * model accepts one, else restarts it (announced by a `restart` event); `restart` always restarts; `fail` ends with
   * `StreamInterruptedError` carrying the partial text.
   */
  onInterrupt?: InterruptMode;
  /** Overrides the pool's `continuation` settings for this call (a capability table given here replaces the pool's). */
  continuation?: PoolContinuationOptions;
}

/** An event of `pool.stream`: text deltas, a `restart` when the answer starts again, then one `done`. */
export type PoolStreamEvent = ContinuedStreamEvent<ChatResult>;

/** What a continuing pool stream needs of its pool (a `KeyPool` builds it from its private engine state). */
export interface PoolStreamContext {
  provider: ProviderName;
  /** One stream through the engine: failover until its first chunk, after it a `StreamInterruptedError`. */
  open(request: ChatRequest, options: EngineStreamOptions): AsyncIterable<ChatStreamEvent>;
  /** The pool's deadline for a whole call, when the call gives none. */
  deadlineMs: number;
  now(): number;
  emit<K extends PoolEventName>(name: K, fields: PoolEventFields[K], model?: string): void;
  /** Removes every secret of the pool from a text. */
  scrub(text: string): string;
  onInterrupt: InterruptMode;
  /** What routed native SDK streams do on a break (the pool's `nativeStreams.onInterrupt`, default `fail`). */
  nativeOnInterrupt: InterruptMode;
  /** The pool's table, shared by its calls so a model found to refuse a prefill restarts on later calls too. */
  capabilities: ContinuationCapabilities;
  continuation: Omit<PoolContinuationOptions, 'capabilities'>;
}

/** Each pool's stream context, by pool, for the other unified streams of a pool (`streamChat`). */
const CONTEXTS = new WeakMap<object, PoolStreamContext>();

/** The stream context a pool registered (its continuation settings, events, shared capability table). */
export function poolStreamContextOf(pool: object): PoolStreamContext | undefined {
  return CONTEXTS.get(pool);
}

/**
 * What is left (ms, at least 1) of a call's deadline that started at `startedAt`: the call's own `deadlineMs`, else
 * the pool's. Undefined when the pool's is unknown (the engine then applies its own).
 */
export function remainingDeadline(
  pool: object,
  callDeadlineMs: number | undefined,
  startedAt: number,
): number | undefined {
  const total = callDeadlineMs ?? CONTEXTS.get(pool)?.deadlineMs;
  return total === undefined ? undefined : Math.max(1, startedAt + total - Date.now());
}

/**
 * A pool's stream context from its engine state and options (`open` runs one engine stream), registered for `owner`
 * (the pool) so that `streamChat` continues with the same settings, events and capability table.
 */
export function poolStreamContext<TClient>(
  core: PoolCore<TClient>,
  options: Pick<KeyPoolOptions<TClient>, 'onInterrupt' | 'continuation' | 'nativeStreams'>,
  open: PoolStreamContext['open'],
  owner?: object,
): PoolStreamContext {
  const context = streamContext(core, options, open);
  if (owner) CONTEXTS.set(owner, context);
  return context;
}

function streamContext<TClient>(
  core: PoolCore<TClient>,
  options: Pick<KeyPoolOptions<TClient>, 'onInterrupt' | 'continuation' | 'nativeStreams'>,
  open: PoolStreamContext['open'],
): PoolStreamContext {
  const { capabilities, ...continuation } = options.continuation ?? {};
  return {
    provider: core.provider,
    open,
    deadlineMs: core.settings.deadlineMs,
    now: () => core.now(),
    emit: (name, fields, model) => core.emit(name, fields, model),
    scrub: (text) => core.scrub(text),
    onInterrupt: options.onInterrupt ?? 'continue',
    nativeOnInterrupt: options.nativeStreams?.onInterrupt ?? 'fail',
    capabilities:
      capabilities instanceof ContinuationCapabilities
        ? capabilities
        : new ContinuationCapabilities(capabilities ?? []),
    continuation,
  };
}

/**
 * `pool.stream(request)`: the engine's stream (failover until the first chunk) made to survive a break after it, as
 * `continueStream` does (see there): the answer goes on with the same model on another key, by prefill where the
 * model accepts one, else by an announced restart, within one deadline for the whole call. Reports each break as
 * `stream.*` pool events (scrubbed). With `onInterrupt: 'fail'` a break ends the stream as the engine reports it.
 */
export async function* continuingPoolStream(
  context: PoolStreamContext,
  request: ChatRequest,
  options: PoolStreamOptions,
): AsyncGenerator<PoolStreamEvent, void, undefined> {
  const { onInterrupt, continuation, ...callOptions } = options;
  const { provider, now } = context;
  const model = request.model;
  const deadlineAt = now() + (callOptions.deadlineMs ?? context.deadlineMs);
  const target = { provider, model };
  const given = continuation?.capabilities;
  const capabilities =
    given === undefined
      ? context.capabilities
      : given instanceof ContinuationCapabilities
        ? given
        : new ContinuationCapabilities(given);
  const onEvent = (event: StreamContinuationEvent): void => {
    if (event.type === 'stream.interrupted') {
      context.emit(
        'stream.interrupted',
        {
          provider,
          ...(event.from.keyId ? { keyId: event.from.keyId } : {}),
          chars: event.at,
          category: event.category,
          message: context.scrub(event.message),
        },
        model,
      );
    } else if (event.type === 'stream.continued') {
      const { fromKeyId, toKeyId } = event;
      context.emit(
        'stream.continued',
        {
          provider,
          record: event.record,
          chars: event.at,
          how: event.how,
          ...(fromKeyId ? { fromKeyId: context.scrub(fromKeyId) } : {}),
          ...(toKeyId ? { toKeyId: context.scrub(toKeyId) } : {}),
        },
        model,
      );
    } else {
      context.emit('stream.prefill_rejected', { provider, message: context.scrub(event.message) }, model);
    }
  };
  const events = continueStream<ChatResult>(
    request,
    (attempt) =>
      context.open(attempt.requestFor(target), {
        ...callOptions,
        deadlineMs: Math.max(1, deadlineAt - now()),
        avoidKeyIds: [...(callOptions.avoidKeyIds ?? []), ...attempt.avoidKeyIds],
        onFirstChunk: (key) => {
          attempt.servedBy(key.keyId);
          callOptions.onFirstChunk?.(key);
        },
      }),
    {
      ...context.continuation,
      ...continuation,
      capabilities,
      onInterrupt: onInterrupt ?? context.onInterrupt,
      onEvent,
    },
  );
  for await (const event of events) {
    if (event.type === 'restart')
      context.emit(
        'stream.restarted',
        { provider, reason: event.reason, discardedChars: event.discardedText.length },
        model,
      );
    yield event;
  }
}
