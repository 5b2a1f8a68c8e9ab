import type { AttemptOutcome, ChatRequest, ChatResult, ChatStreamEvent } from '@keypool/core';
import type { AttemptLog } from './attempt-log';
import type { ChainChatOptions, ChainPool, ChainStreamOptions, StepRef } from './chain-step';

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
 * One step's unified stream (`pool.stream`: text deltas, then one `done` with the whole result), each of its attempts
 * recorded in the chain's log as it ends.
 */
export function callStepStream(
  pool: ChainPool,
  step: StepRef,
  request: ChatRequest,
  budget: StepCallBudget,
  log: AttemptLog,
): AsyncIterable<ChatStreamEvent> {
  const options: ChainStreamOptions = chatOptions(budget, (attempt) => log.record(step, attempt));
  if (budget.firstChunkTimeoutMs !== undefined) options.firstChunkTimeoutMs = budget.firstChunkTimeoutMs;
  if (budget.idleTimeoutMs !== undefined) options.idleTimeoutMs = budget.idleTimeoutMs;
  return pool.stream(request, options);
}

function chatOptions(budget: StepCallBudget, onAttempt: (attempt: AttemptOutcome) => void): ChainChatOptions {
  const options: ChainChatOptions = { deadlineMs: budget.deadlineMs, onAttempt };
  if (budget.attemptTimeoutMs !== undefined) options.attemptTimeoutMs = budget.attemptTimeoutMs;
  if (budget.maxAttempts !== undefined) options.maxAttempts = budget.maxAttempts;
  return options;
}
