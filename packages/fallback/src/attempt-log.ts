import type { ErrorCategory, ProviderName } from '@keypool/core';
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
  /** When the attempt started (epoch ms). */
  startedAt: number;
  durationMs: number;
}

/** An attempt still running: the first verdict wins, later ones are ignored. */
export interface OpenAttempt {
  succeed(): void;
  fail(category: ErrorCategory): void;
  readonly settled: boolean;
}

/** The attempts of one chain call, in the order they started. */
export class AttemptLog {
  readonly entries: ChainAttempt[] = [];
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Opens an attempt on a key of a step. */
  begin(step: StepRef, key: { id: string; masked: string }): OpenAttempt {
    const entry: ChainAttempt = {
      ...fieldsOf(step),
      keyId: key.id,
      maskedKey: key.masked,
      outcome: 'failure',
      startedAt: this.now(),
      durationMs: 0,
    };
    this.entries.push(entry);
    let settled = false;
    const settle = (outcome: 'success' | 'failure', category?: ErrorCategory) => {
      if (settled) return;
      settled = true;
      entry.outcome = outcome;
      if (category !== undefined) entry.category = category;
      entry.durationMs = this.now() - entry.startedAt;
    };
    return {
      succeed: () => settle('success'),
      fail: (category) => settle('failure', category),
      get settled() {
        return settled;
      },
    };
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
