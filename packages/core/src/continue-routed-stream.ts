import { ProviderError, StreamInterruptedError } from './errors';
import {
  continueNativeStream,
  NativeStreamBreak,
  type NativeStreamDialect,
  type OpenedNativeStream,
} from './native-stream-continuation';
import { poolStreamContextOf } from './pool-stream';
import type {
  ContinuablePoolRef,
  OpenedRoutedStream,
  RoutedStreamContinuer,
  StartRoutedStream,
} from './routed-stream-continuer';

/** How a routed method's native stream continues when the pool opts in (`nativeStreams`). */
export interface RoutedStreamContinuation<TChunk> {
  /** How its chunks read and are rewritten. */
  dialect: NativeStreamDialect<TChunk>;
  /** The call's arguments for a continuation: with `prefill` as an assistant prefill, or unchanged (undefined). */
  continueArgs(args: readonly unknown[], prefill: string | undefined): unknown[];
  /** True when the call declared tools (a break then restarts: never a prefill). */
  hasTools?(args: readonly unknown[]): boolean;
}

async function* replayFirst<TChunk>(
  first: TChunk,
  rest: AsyncGenerator<TChunk, void, undefined>,
): AsyncGenerator<TChunk, void, undefined> {
  try {
    yield first;
    yield* rest;
  } finally {
    await rest.return(undefined).catch(() => undefined);
  }
}

/**
 * The routed stream of a call whose pool continues native streams (`nativeStreams.onInterrupt` not `fail`) and whose
 * method knows how (`continuation`): its chunks through {@link continueNativeStream}, each continuation opened as a
 * new engine stream with the broken keys avoided. Undefined when the call is not continued.
 */
export function continuingRoutedStream<TChunk>(
  pool: ContinuablePoolRef,
  continuation: RoutedStreamContinuation<TChunk>,
  args: readonly unknown[],
  opened: OpenedRoutedStream<TChunk>,
  start: StartRoutedStream<TChunk>,
): AsyncGenerator<TChunk, void, undefined> | undefined {
  const context = poolStreamContextOf(pool);
  if (!context || context.nativeOnInterrupt === 'fail' || opened.first.done) return undefined;
  const model = (args[0] as { model?: unknown } | undefined)?.model;
  const events = (stream: OpenedRoutedStream<TChunk>): OpenedNativeStream<TChunk> => {
    if (stream.first.done)
      throw new NativeStreamBreak('server', 'the continuation ended before its first chunk');
    return { events: replayFirst(stream.first.value, stream.rest), keyId: stream.keyId };
  };
  return continueNativeStream(events(opened), {
    dialect: continuation.dialect,
    mode: context.nativeOnInterrupt,
    target: { provider: pool.provider, model: typeof model === 'string' ? model : '' },
    hasTools: continuation.hasTools?.(args) ?? false,
    context,
    reopen: async ({ prefill, avoidKeyIds }) =>
      events(await start(continuation.continueArgs(args, prefill), avoidKeyIds)),
    toBreak: (error) => {
      if (!StreamInterruptedError.isInstance(error)) return undefined;
      if (ProviderError.isInstance(error.cause) && error.cause.category === 'aborted') return undefined;
      return new NativeStreamBreak(error.interruptedBy, error.message, { cause: error });
    },
  });
}

/** The `continuation` of a routed method (see `RoutedMethod.continuation`): its dialect and continuation arguments. */
export function routedStreamContinuation<TChunk>(
  spec: RoutedStreamContinuation<TChunk>,
): RoutedStreamContinuer<TChunk> {
  return {
    continueStream: (pool, args, opened, start) => continuingRoutedStream(pool, spec, args, opened, start),
  };
}
