import type { AttemptOutcome, KeyPool } from './key-pool';
import type { PoolClientOptions, RoutedMethod, RoutedStream } from './pool-client';
import { remainingDeadline } from './pool-stream';
import { modelOption, resolvePath, scrubbed } from './routed-call-helpers';

/**
 * A routed streaming call: opened through the pool (failover until its first chunk, the caller's per-request timeout
 * on the engine's timer), continued by the route's `continuation` when the pool opts in, and shaped like the SDK's
 * own stream. Errors before the first chunk surface at `await`, as the SDKs do.
 */
export async function openStream<TClient extends object>(
  pool: KeyPool<TClient>,
  route: RoutedMethod,
  args: unknown[],
  userSignal: AbortSignal | undefined,
  {
    estimatedTokens,
    requestTimeoutMs,
  }: { estimatedTokens?: number | undefined; requestTimeoutMs?: number | undefined },
  options: PoolClientOptions,
  onAttempt: (attempt: AttemptOutcome) => void,
  convert: (error: unknown) => never,
): Promise<unknown> {
  const controller = new AbortController();
  const signal = userSignal ? AbortSignal.any([userSignal, controller.signal]) : controller.signal;
  // One deadline for the whole call: a continuation (nativeStreams) gets what is left of it, not a fresh one.
  const startedAt = Date.now();
  let continuing = false;
  const start = async (callArgs: readonly unknown[], avoidKeyIds: readonly string[]) => {
    const remaining = continuing
      ? remainingDeadline(pool, options.callOptions?.deadlineMs, startedAt)
      : undefined;
    continuing = true;
    let keyId = '';
    const rest = pool.executeStream<unknown>(
      async (client, key) => {
        const method = resolvePath(client, route.path);
        let stream: AsyncIterable<unknown>;
        try {
          stream = await (method.fn as (...input: unknown[]) => Promise<AsyncIterable<unknown>>).apply(
            method.owner,
            route.withSignal(callArgs, key.signal),
          );
        } catch (error) {
          throw scrubbed(error, client, options);
        }
        route.afterCall?.(stream, key);
        return options.secretOf ? scrubbing(stream, client, options) : stream;
      },
      {
        ...options.callOptions,
        ...options.streamOptions,
        signal,
        ...(estimatedTokens !== undefined ? { estimatedTokens } : {}),
        ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
        ...modelOption(callArgs),
        ...(route.textOf ? { textOf: route.textOf } : {}),
        ...(route.chunkUsageOf ? { usageOf: route.chunkUsageOf } : {}),
        ...(route.isTerminal ? { isTerminal: route.isTerminal } : {}),
        ...(avoidKeyIds.length > 0 ? { avoidKeyIds } : {}),
        ...(remaining !== undefined ? { deadlineMs: remaining } : {}),
        onFirstChunk: (key) => {
          keyId = key.keyId;
        },
        onAttempt,
      },
    );
    const first = await rest.next();
    return { first, rest, keyId };
  };
  // Wait for the first chunk so that every error before it rotates keys and surfaces at `await`, as the SDKs do.
  const opened = await start(args, []).catch(convert);
  const continued = route.continuation?.continueStream(pool, args, opened, start);
  const first = continued ? await continued.next().catch(convert) : opened.first;
  const stream = routedStream(first, continued ?? opened.rest, controller, convert);
  return route.shapeStream ? route.shapeStream(stream) : stream;
}

/** The chunks of `stream`, with any error it throws scrubbed of the client's secret. */
async function* scrubbing<TChunk>(
  stream: AsyncIterable<TChunk>,
  client: object,
  options: PoolClientOptions,
): AsyncGenerator<TChunk, void, undefined> {
  try {
    yield* stream;
  } catch (error) {
    throw scrubbed(error, client, options);
  }
}

async function* replay<TChunk>(
  first: IteratorResult<TChunk, void>,
  rest: AsyncGenerator<TChunk, void, undefined>,
  controller: AbortController,
  convert: (error: unknown) => never,
): AsyncGenerator<TChunk, void, undefined> {
  try {
    if (first.done) return;
    yield first.value;
    for (;;) {
      let next: IteratorResult<TChunk, void>;
      try {
        next = await rest.next();
      } catch (error) {
        // `stream.controller.abort()` ends the loop quietly, as the SDKs' own streams do.
        if (controller.signal.aborted) return;
        return convert(error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return(undefined).catch(() => undefined);
  }
}

function routedStream<TChunk>(
  first: IteratorResult<TChunk, void>,
  rest: AsyncGenerator<TChunk, void, undefined>,
  controller: AbortController,
  convert: (error: unknown) => never,
): RoutedStream<TChunk> {
  return Object.assign(replay(first, rest, controller, convert), { controller });
}
