import type { ErrorCategory } from './categories';
import type { PoolEvent } from './events';

/**
 * The fields observers (failure history, health monitor, dashboard, metrics) read from a pool event. Some of them
 * (`at`, `model`, `usage`, `code`) are added to the engine's events over time; reading through this type with every
 * field optional keeps observers working with events that have them and events that do not.
 */
export interface ObservedEvent {
  type: string;
  provider?: string;
  keyId?: string;
  masked?: string;
  /** Epoch ms when it happened (falls back to the observer's clock). */
  at?: number;
  model?: string;
  attempt?: number;
  attempts?: number;
  category?: ErrorCategory | 'manual';
  status?: number;
  /** The provider's own error code (e.g. `insufficient_quota`), when the event carries one. */
  code?: string;
  message?: string;
  reason?: string;
  latencyMs?: number;
  usage?: { inputTokens?: number; outputTokens?: number; totalTokens?: number };
  until?: number;
  durationMs?: number;
  fromKeyId?: string;
  toKeyId?: string;
}

/** Reads a pool event (or any object with a `type`) through the `ObservedEvent` view. */
export function observe(event: PoolEvent | { type: string }): ObservedEvent {
  return event as ObservedEvent;
}

/** The event's own time, else `now()`. */
export function eventTime(event: ObservedEvent, now: () => number): number {
  return typeof event.at === 'number' && Number.isFinite(event.at) ? event.at : now();
}
