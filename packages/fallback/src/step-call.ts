import {
  type AttemptKey,
  type ChatRequest,
  type ChatResult,
  type ChatStreamEvent,
  type ErrorCategory,
  estimateRequestTokens,
  ProviderError,
} from '@keypool/core';
import type { AttemptLog } from './attempt-log';
import type { AttemptContextLike, ChainPool, StepRef } from './chain-step';

/** The budget of one step's call, already capped by what is left of the chain's deadline. */
export interface StepCallBudget {
  deadlineMs: number;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  firstChunkTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** What a served call says about the key that served it. */
export interface ServingKey {
  keyId: string;
  maskedKey: string;
}

/**
 * One step's unified chat call: what `pool.chat` does, with each attempt recorded in the chain's log (key, category,
 * duration) as it happens.
 */
export async function callStepChat(
  pool: ChainPool,
  step: StepRef,
  request: ChatRequest,
  budget: StepCallBudget,
  log: AttemptLog,
): Promise<{ result: ChatResult; key: ServingKey }> {
  let serving: ServingKey | undefined;
  const result = await pool.execute(
    async (client, key) => {
      const attempt = watchAttempt(pool, step, key, request.signal, log);
      try {
        const answer = await pool.adapter.chat(client, { ...request, signal: key.signal }, contextOf(key));
        key.reportUsage(answer.usage.totalTokens);
        attempt.succeed();
        serving = { keyId: key.id, maskedKey: key.masked };
        return { ...answer, provider: pool.provider, keyId: key.id } satisfies ChatResult;
      } catch (raw) {
        attempt.fail(raw);
        throw raw;
      } finally {
        attempt.dispose();
      }
    },
    {
      ...callOptions(budget),
      ...(request.signal ? { signal: request.signal } : {}),
      estimatedTokens: estimate(pool, request),
    },
  );
  return { result, key: serving ?? { keyId: result.keyId, maskedKey: '' } };
}

/**
 * One step's unified stream: what `pool.stream` does (text deltas, then one `done` with the whole result), with each
 * attempt recorded in the chain's log. `onServingKey` learns the key of the attempt that delivered the first chunk.
 */
export function callStepStream(
  pool: ChainPool,
  step: StepRef,
  request: ChatRequest,
  budget: StepCallBudget,
  log: AttemptLog,
  onServingKey: (key: ServingKey) => void,
): AsyncGenerator<ChatStreamEvent, void, undefined> {
  const adapter = pool.adapter;
  const provider = pool.provider;
  return pool.executeStream<ChatStreamEvent>(
    (client, key) =>
      (async function* () {
        const attempt = watchAttempt(pool, step, key, request.signal, log);
        let text = '';
        let parts = 0;
        let done = false;
        try {
          for await (const part of adapter.stream(
            client,
            { ...request, signal: key.signal },
            contextOf(key),
          )) {
            if (parts === 0) onServingKey({ keyId: key.id, maskedKey: key.masked });
            parts++;
            if (part.type === 'delta') {
              text += part.text;
              yield part;
            } else {
              key.reportUsage(part.usage.totalTokens);
              done = true;
              attempt.succeed();
              const result: ChatResult = {
                text,
                finishReason: part.finishReason,
                usage: part.usage,
                provider,
                model: part.model ?? request.model,
                keyId: key.id,
                ...(part.requestId ? { requestId: part.requestId } : {}),
              };
              yield { type: 'done', result };
            }
          }
          // The pool treats these two endings the same way (an empty stream is a server fault, a stream without its
          // `done` is interrupted).
          if (parts === 0) attempt.failWith('server');
          else if (!done) attempt.failWith('stream_interrupted');
        } catch (raw) {
          attempt.fail(raw);
          throw raw;
        } finally {
          // Still open here means the consumer stopped early.
          attempt.failWith('aborted');
          attempt.dispose();
        }
      })(),
    {
      ...callOptions(budget),
      ...(budget.firstChunkTimeoutMs !== undefined
        ? { firstChunkTimeoutMs: budget.firstChunkTimeoutMs }
        : {}),
      ...(budget.idleTimeoutMs !== undefined ? { idleTimeoutMs: budget.idleTimeoutMs } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      estimatedTokens: estimate(pool, request),
      textOf: (event) => (event.type === 'delta' ? event.text : undefined),
      usageOf: (event) => (event.type === 'done' ? event.result.usage.totalTokens : undefined),
      isTerminal: (event) => event.type === 'done',
    },
  );
}

interface WatchedAttempt {
  succeed(): void;
  /** Classifies what the attempt threw the way the pool does, and records it. */
  fail(raw: unknown): void;
  failWith(category: ErrorCategory): void;
  dispose(): void;
}

/**
 * Opens an attempt in the log and closes it on its first verdict: the operation's own outcome, or the attempt's
 * signal aborting (the pool's timer: attempt timeout, time to first chunk, idle timeout, deadline; or the caller).
 */
function watchAttempt(
  pool: ChainPool,
  step: StepRef,
  key: AttemptKey,
  callerSignal: AbortSignal | undefined,
  log: AttemptLog,
): WatchedAttempt {
  const open = log.begin(step, { id: key.id, masked: key.masked });
  const onAbort = () => open.fail(abortCategory(key.signal, callerSignal));
  if (key.signal.aborted) onAbort();
  else key.signal.addEventListener('abort', onAbort, { once: true });
  return {
    succeed: () => open.succeed(),
    fail: (raw) => open.fail(categoryOf(pool, raw, key.signal, callerSignal)),
    failWith: (category) => open.fail(category),
    dispose: () => key.signal.removeEventListener('abort', onAbort),
  };
}

/** The pool's classification order: the caller's abort, then its own timer, then the error itself. */
function categoryOf(
  pool: ChainPool,
  raw: unknown,
  attemptSignal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): ErrorCategory {
  if (callerSignal?.aborted || attemptSignal.aborted) return abortCategory(attemptSignal, callerSignal);
  if (ProviderError.isInstance(raw)) return raw.category;
  try {
    return pool.adapter.classifyError(raw).category;
  } catch {
    return 'server';
  }
}

function abortCategory(attemptSignal: AbortSignal, callerSignal: AbortSignal | undefined): ErrorCategory {
  if (callerSignal?.aborted) return 'aborted';
  const reason: unknown = attemptSignal.reason;
  // The pool's timers abort with a TimeoutError; a consumer that stops a stream early aborts with an AbortError.
  return reason instanceof Error && reason.name === 'TimeoutError' ? 'timeout' : 'aborted';
}

function contextOf(key: AttemptKey): AttemptContextLike {
  return {
    signal: key.signal,
    keyId: key.id,
    reportRateLimit: key.reportRateLimit,
    reportUsage: key.reportUsage,
  };
}

function estimate(pool: ChainPool, request: ChatRequest): number {
  return pool.adapter.estimateTokens?.(request) ?? estimateRequestTokens(request);
}

function callOptions(budget: StepCallBudget): {
  deadlineMs: number;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
} {
  return {
    deadlineMs: budget.deadlineMs,
    ...(budget.attemptTimeoutMs !== undefined ? { attemptTimeoutMs: budget.attemptTimeoutMs } : {}),
    ...(budget.maxAttempts !== undefined ? { maxAttempts: budget.maxAttempts } : {}),
  };
}
