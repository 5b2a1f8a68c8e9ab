import { attemptSignal, raceSignal, sleep } from './abort';
import { retryDelay } from './backoff';
import { throwIfAborted } from './call-errors';
import { type ProviderError, StreamInterruptedError } from './errors';
import { nextLease } from './lease';
import type { PolicyRow } from './policy';
import type { CallState, Lease, PoolCore } from './pool-core';
import type { AttemptKey, CallOptions, StreamCallOptions } from './pool-options';
import { record } from './record-attempt';
import { EmptyStreamError, MissingTerminatorError, settleFailure, settleSuccess } from './settle';

/** Starts a call: its deadline, attempt budget, cost, and its model scope's index. */
export function beginCall<T>(core: PoolCore<T>, options: CallOptions): CallState {
  const settings = core.settings;
  const scope = core.scopeName(options.model);
  let avoid: Set<import('./pool-key').PoolKey> | undefined;
  if (options.avoidKeyIds && options.avoidKeyIds.length > 0) {
    avoid = new Set();
    for (const id of options.avoidKeyIds) {
      const key = core.keys.get(id);
      if (key) avoid.add(key);
    }
  }
  const now = core.now();
  return {
    begunAt: now,
    deadline: now + (options.deadlineMs ?? settings.deadlineMs),
    maxAttempts: options.maxAttempts ?? settings.maxAttempts ?? Math.min(core.keys.size + 2, 10),
    cost: { requests: 1, tokens: options.estimatedTokens ?? 0 },
    errors: [],
    retriesUsed: {},
    model: options.model,
    index: core.index(scope),
    avoid,
    last: undefined,
    waitedMs: 0,
  };
}

/**
 * The retry loop: each attempt gets the client of the key the engine picked; a failure is classified, applied to that
 * key, and retried on another key as the policy says, within the attempt budget and the deadline.
 */
export async function execute<TClient, T>(
  core: PoolCore<TClient>,
  operation: (client: TClient, key: AttemptKey) => Promise<T>,
  options: CallOptions,
): Promise<T> {
  const call = beginCall(core, options);
  const settings = core.settings;
  for (let attempt = 1; ; attempt++) {
    const next = nextLease(core, call, options, attempt);
    const lease = next instanceof Promise ? await next : next;
    const timeout = Math.min(
      options.attemptTimeoutMs ?? settings.attemptTimeoutMs ?? Number.POSITIVE_INFINITY,
      options.requestTimeoutMs ?? Number.POSITIVE_INFINITY,
      call.deadline - lease.startedAt,
    );
    const guard = attemptSignal(options.signal, timeout);
    try {
      const client = core.clientOf(lease.key);
      const result = await raceSignal(
        operation(client, attemptKey(core, lease, guard.signal, timeout)),
        guard.signal,
      );
      guard.dispose();
      settleSuccess(core, lease);
      return result;
    } catch (raw) {
      guard.dispose();
      const { error, row } = settleFailure(core, lease, raw, guard.timedOut(), options.signal);
      call.errors.push(error);
      await afterFailure(core, call, error, row, options.signal, lease);
    }
  }
}

/**
 * A streaming call with rotation. Until the first chunk reaches the caller a failure rotates to another key like any
 * call; after it, a failure ends the stream with a `StreamInterruptedError` carrying the partial text. A stream that
 * ends without its terminal chunk or stalls past the idle timeout is interrupted too.
 */
export async function* executeStream<TClient, TChunk>(
  core: PoolCore<TClient>,
  open: (client: TClient, key: AttemptKey) => AsyncIterable<TChunk> | Promise<AsyncIterable<TChunk>>,
  options: StreamCallOptions<TChunk>,
): AsyncGenerator<TChunk, void, undefined> {
  const call = beginCall(core, options);
  const settings = core.settings;
  const idleTimeoutMs = options.idleTimeoutMs ?? settings.streamIdleTimeoutMs ?? Number.POSITIVE_INFINITY;
  for (let attempt = 1; ; attempt++) {
    const next = nextLease(core, call, options, attempt);
    const lease = next instanceof Promise ? await next : next;
    const firstChunkTimeout = Math.min(
      options.firstChunkTimeoutMs ??
        options.attemptTimeoutMs ??
        settings.attemptTimeoutMs ??
        settings.firstByteTimeoutMs,
      options.requestTimeoutMs ?? Number.POSITIVE_INFINITY,
      call.deadline - core.now(),
    );
    const guard = attemptSignal(options.signal, firstChunkTimeout);
    let iterator: AsyncIterator<TChunk> | undefined;
    let first: IteratorResult<TChunk>;
    try {
      const client = core.clientOf(lease.key);
      const iterable = await raceSignal(
        Promise.resolve(open(client, attemptKey(core, lease, guard.signal, firstChunkTimeout))),
        guard.signal,
      );
      iterator = iterable[Symbol.asyncIterator]();
      first = await raceSignal(iterator.next(), guard.signal);
      if (first.done) throw new EmptyStreamError();
    } catch (raw) {
      guard.dispose();
      void iterator?.return?.().catch(() => undefined);
      const { error, row } = settleFailure(core, lease, raw, guard.timedOut(), options.signal);
      call.errors.push(error);
      await afterFailure(core, call, error, row, options.signal, lease);
      continue;
    }

    // The first chunk is here: from now on there is no failover, only success or a typed interruption.
    try {
      options.onFirstChunk?.({ keyId: lease.key.id, masked: lease.key.masked });
    } catch {
      // A listener's failure must not break the stream.
    }
    let partial = '';
    let sawTerminal = false;
    let finished = false;
    let current: IteratorResult<TChunk> = first;
    try {
      while (!current.done) {
        const chunk = current.value;
        partial += options.textOf?.(chunk) ?? '';
        const used = options.usageOf?.(chunk);
        if (used !== undefined) lease.usedTokens = used;
        if (options.isTerminal?.(chunk)) sawTerminal = true;
        guard.restartTimer(Math.min(idleTimeoutMs, call.deadline - core.now()));
        yield chunk;
        current = await raceSignal(iterator.next(), guard.signal);
      }
      if (options.isTerminal && !sawTerminal) throw new MissingTerminatorError();
      finished = true;
      guard.dispose();
      settleSuccess(core, lease);
    } catch (raw) {
      guard.dispose();
      void iterator.return?.().catch(() => undefined);
      finished = true;
      const { error } = settleFailure(core, lease, raw, guard.timedOut(), options.signal);
      if (error.category === 'aborted') throw error;
      throw new StreamInterruptedError(
        {
          category: error.category,
          message: `stream interrupted after ${partial.length} characters: ${error.message}`,
          provider: core.provider,
          keyId: lease.key.id,
          status: error.status,
          requestId: error.requestId,
        },
        partial,
        { cause: error },
      );
    } finally {
      if (!finished) {
        // The consumer stopped early: cancel the upstream request and release the key without blame.
        guard.abort(new DOMException('The stream consumer stopped.', 'AbortError'));
        guard.dispose();
        void iterator.return?.().catch(() => undefined);
        record(core, lease, { outcome: 'failure', category: 'aborted' });
      }
    }
    return;
  }
}

/**
 * What a failed attempt means for the call: stop, try another key at once, or retry after a short jittered delay.
 * A retry goes to another key when one is usable (no delay then); the failed key is avoided for the rest of the call.
 */
async function afterFailure<T>(
  core: PoolCore<T>,
  call: CallState,
  error: ProviderError,
  row: PolicyRow,
  signal: AbortSignal | undefined,
  lease: Lease,
): Promise<void> {
  call.last = { key: lease.key, category: error.category };
  if (error.category === 'aborted') throw error;
  if (row.request === 'fail') throw error;
  if (row.request === 'next_key') {
    // The key may stay in rotation (a failure threshold not reached yet), but this call's retries go elsewhere first.
    call.avoid ??= new Set();
    call.avoid.add(lease.key);
    return;
  }
  const used = (call.retriesUsed[error.category] ?? 0) + 1;
  call.retriesUsed[error.category] = used;
  if (used > (row.retries ?? 1)) throw error;
  call.avoid ??= new Set();
  call.avoid.add(lease.key);
  if (hasOtherUsableKey(core, call)) {
    // Another key can take the retry now: no reason to wait for the one that just failed.
    core.emit(
      'request.retry',
      {
        provider: core.provider,
        attempt: lease.attempt,
        category: error.category,
        delayMs: 0,
        fromKeyId: lease.key.id,
        fromMasked: lease.key.masked,
      },
      call.model,
    );
    return;
  }
  const settings = core.settings;
  const delayMs = Math.max(
    retryDelay(
      used,
      settings.retryBaseMs,
      settings.retryMaxMs,
      settings.random,
      settings.retryFactor,
      settings.retryJitter,
    ),
    error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, settings.cooldown.maxMs) : 0,
  );
  if (core.now() + delayMs >= call.deadline) throw error;
  core.emit(
    'request.retry',
    {
      provider: core.provider,
      attempt: lease.attempt,
      category: error.category,
      delayMs,
      fromKeyId: lease.key.id,
      fromMasked: lease.key.masked,
    },
    call.model,
  );
  try {
    await sleep(delayMs, signal);
  } catch {
    throwIfAborted(core, signal, [error]);
  }
}

function hasOtherUsableKey<T>(core: PoolCore<T>, call: CallState): boolean {
  const now = core.now();
  const index = call.index;
  index.release(now);
  const ready = index.ready;
  // Ready keys are usable unless a pick raced them; look at a bounded number so a large pool stays O(1) (the ready
  // array may hold tombstones of keys that left it: they are skipped, and count toward the bound).
  for (let step = 0; step < ready.length && step < 64; step++) {
    const item = ready[step]!;
    if (item.parked !== 'ready') continue;
    if (!call.avoid?.has(item.key) && item.penaltyUntil <= now && item.usable(now)) return true;
  }
  return false;
}

function attemptKey<T>(core: PoolCore<T>, lease: Lease, signal: AbortSignal, timeoutMs: number): AttemptKey {
  return {
    id: lease.key.id,
    masked: lease.key.masked,
    attempt: lease.attempt,
    signal,
    timeoutMs,
    reportRateLimit: (info) => {
      lease.learned = { ...lease.learned, ...info };
      if (core.hasListeners('limits.learned'))
        core.emit(
          'limits.learned',
          {
            ...lease.key.ref(),
            provider: core.provider,
            requestsRemaining: info.requests?.remaining,
            tokensRemaining: info.tokens?.remaining,
          },
          lease.model,
        );
    },
    reportUsage: (totalTokens) => {
      lease.usedTokens = totalTokens;
    },
  };
}
