import type { AttemptOutcome, ErrorCategory, ProviderName } from '@keypool/core';
import type { StepRef } from './chain-step';

/** Why the chain left (or never called) a step, beyond a plain error category. */
export type StepSkipReason = 'breaker_open' | 'context_length';

/**
 * One line of a chain call's history: an attempt a step's pool made on one key, or a step the chain skipped, or a
 * step whose pool refused before any attempt (no usable key).
 */
export interface ChainAttempt {
  /** The step's index in the chain. */
  step: number;
  name: string;
  provider: ProviderName;
  model: string;
  /** The key the attempt ran on (absent for a skipped step or a pool that had no usable key). */
  keyId?: string;
  /** The key's masked secret, e.g. `sk-...N5g4`. */
  maskedKey?: string;
  /**
   * `success`: this attempt served the answer; `failure`: it failed (see `category`); `skipped`: the chain did not call
   * the step (see `reason`); `unavailable`: the step's pool had no usable key and made no attempt.
   */
  outcome: 'success' | 'failure' | 'skipped' | 'unavailable';
  /** For failures: the attempt's error category (for a stream, the cause of the interruption). */
  category?: ErrorCategory;
  /** For skipped steps: why. */
  reason?: StepSkipReason;
  /** When the attempt started (epoch ms). For an attempt on a key, as its pool measured it. */
  startedAt: number;
  durationMs: number;
}

/** Who served a step: the key of its successful attempt. */
export interface ServingKey {
  keyId: string;
  maskedKey: string;
}

/** The attempts of one chain call, in the order they started. */
export class AttemptLog {
  readonly entries: ChainAttempt[] = [];
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Records an attempt of a step's pool call as the pool reports it (`CallOptions.onAttempt`), when it ends. */
  record(step: StepRef, attempt: AttemptOutcome): void {
    this.entries.push({
      ...fieldsOf(step),
      keyId: attempt.keyId,
      maskedKey: attempt.masked,
      outcome: attempt.outcome,
      ...(attempt.category !== undefined ? { category: attempt.category } : {}),
      startedAt: attempt.startedAt,
      durationMs: attempt.durationMs,
    });
  }

  /** Records a step the chain did not call. */
  skip(step: StepRef, reason: StepSkipReason): void {
    this.entries.push({
      ...fieldsOf(step),
      outcome: 'skipped',
      reason,
      startedAt: this.now(),
      durationMs: 0,
    });
  }

  /** Records a step whose pool refused before any attempt (no usable key). */
  unavailable(step: StepRef, startedAt: number): void {
    this.entries.push({
      ...fieldsOf(step),
      outcome: 'unavailable',
      startedAt,
      durationMs: this.now() - startedAt,
    });
  }

  /** The key that served a step: its successful attempt on `keyId` (the masked key is empty if none was reported). */
  servingKey(step: number, keyId: string): ServingKey {
    const served = this.entries.findLast(
      (entry) => entry.step === step && entry.keyId === keyId && entry.outcome === 'success',
    );
    return { keyId, maskedKey: served?.maskedKey ?? '' };
  }

  /** How many attempts a step made in this call. */
  attemptsOf(step: number): ChainAttempt[] {
    return this.entries.filter((entry) => entry.step === step && entry.keyId !== undefined);
  }

  /** A copy of the entries, for results and errors. */
  list(): ChainAttempt[] {
    return this.entries.map((entry) => ({ ...entry }));
  }
}

function fieldsOf(step: StepRef): Pick<ChainAttempt, 'step' | 'name' | 'provider' | 'model'> {
  return { step: step.index, name: step.name, provider: step.provider, model: step.model };
}
