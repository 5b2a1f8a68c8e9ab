import {
  type AttemptOutcome,
  type ChatRequest,
  type ChatResult,
  type KeyPool,
  streamChat,
} from '@keypool/core';
import type { AttemptLog } from './attempt-log';
import type {
  ChainChatOptions,
  ChainPool,
  ChainPoolStreamEvent,
  ChainStreamOptions,
  StepRef,
} from './chain-step';
import { stepContinuation } from './chain-stream-continuation';

/** The budget of one step's call, already capped by what is left of the chain's deadline. */
export interface StepCallBudget {
  deadlineMs: number;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  firstChunkTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** One step's unified chat call (`pool.chat`), each of its attempts recorded in the chain's log as it ends. */
export function callStepChat(
  pool: ChainPool,
  step: StepRef,
  request: ChatRequest,
  budget: StepCallBudget,
  log: AttemptLog,
): Promise<ChatResult> {
  return pool.chat(
    request,
    chatOptions(budget, (attempt) => log.record(step, attempt)),
  );
}

/**
 * One step's unified stream (`pool.stream`: text deltas, then one `done` with the whole result; for a request with
 * tools on a core `KeyPool`, core's `streamChat`, which adds the tool-call deltas), each of its attempts
 * recorded in the chain's log as it ends. When the chain continues a broken answer, the step sends the prefill its
 * model accepts (or restarts), avoids its own keys that broke, and keeps within the whole call's deadline.
 */
export function callStepStream(
  pool: ChainPool,
  step: StepRef,
  request: ChatRequest,
  budget: StepCallBudget,
  log: AttemptLog,
): AsyncIterable<ChainPoolStreamEvent> {
  const options: ChainStreamOptions = chatOptions(budget, (attempt) => log.record(step, attempt));
  options.onInterrupt = 'fail';
  if (budget.firstChunkTimeoutMs !== undefined) options.firstChunkTimeoutMs = budget.firstChunkTimeoutMs;
  if (budget.idleTimeoutMs !== undefined) options.idleTimeoutMs = budget.idleTimeoutMs;
  const continuation = stepContinuation(request, {
    provider: step.provider,
    model: step.model,
    step: step.name,
  });
  const open = (sent: ChatRequest) =>
    (sent.tools?.length ?? 0) > 0 && isKeyPool(pool)
      ? streamChat(pool, sent, options)
      : pool.stream(sent, options);
  if (!continuation) return open(request);
  options.deadlineMs = Math.max(1, Math.min(budget.deadlineMs, continuation.remainingMs));
  if (continuation.avoidKeyIds.length > 0) options.avoidKeyIds = continuation.avoidKeyIds;
  options.onFirstChunk = (key) => continuation.servedBy(key.keyId);
  return open(continuation.request);
}

/** True for core's `KeyPool` (any copy of it): the pool `streamChat` runs on. Other `ChainPool`s stream text only. */
function isKeyPool(pool: ChainPool): pool is ChainPool & KeyPool<unknown> {
  const candidate = pool as Partial<KeyPool<unknown>>;
  return typeof candidate.executeStream === 'function' && typeof candidate.adapter === 'object';
}

function chatOptions(budget: StepCallBudget, onAttempt: (attempt: AttemptOutcome) => void): ChainChatOptions {
  const options: ChainChatOptions = { deadlineMs: budget.deadlineMs, onAttempt };
  if (budget.attemptTimeoutMs !== undefined) options.attemptTimeoutMs = budget.attemptTimeoutMs;
  if (budget.maxAttempts !== undefined) options.maxAttempts = budget.maxAttempts;
  return options;
}
