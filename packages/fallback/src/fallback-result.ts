import type { ChatResult, ChatToolCallDelta, ContinuedStreamEvent, StreamRestartEvent } from '@keypool/core';
import type { ChainAttempt } from './attempt-log';
import type { StepRef } from './chain-step';

/** Who served an answer: the step, and the key (by id and masked secret, never the secret). */
export interface ServedBy extends StepRef {
  keyId: string;
  /** The key's masked secret, e.g. `sk-...N5g4`. */
  maskedKey: string;
}

/**
 * A chain's answer: the serving step's `ChatResult` (its `usage` is the serving attempt's only: failed attempts and
 * steps are never counted in it), who served it, and every attempt the chain made on the way.
 */
export interface FallbackChatResult extends ChatResult {
  served: ServedBy;
  attempts: readonly ChainAttempt[];
}

/**
 * One event of one run of a chain's steps: text deltas and, for a request with tools, tool-call deltas (a `restart`
 * if a step's pool restarted on its own), then exactly one `done` with the whole result.
 */
export type FallbackStepStreamEvent =
  | { type: 'delta'; text: string }
  | ChatToolCallDelta
  | StreamRestartEvent
  | { type: 'done'; result: FallbackChatResult };

/**
 * One event of a chain's stream: text deltas, tool-call deltas for a request with tools (id, name, argument
 * fragments), a `restart` when the answer starts again after a break (clear what you showed, tool calls included),
 * then exactly one `done` whose result says how the answer was produced (`continued`) and carries the tool calls.
 */
export type FallbackStreamEvent = ContinuedStreamEvent<FallbackChatResult> | ChatToolCallDelta;
