import type { KeySnapshot, PoolEvent } from '@keypool/core';

/**
 * A pool the dashboard shows: any `KeyPool` (what `createOpenAIPool` and friends return) fits. `onAny` feeds the
 * charts, counters, history and live events; `refresh` (shared stores) makes `/status` show the whole cluster. A
 * pool read from a saved file needs only `provider` and `snapshot`.
 */
export interface DashboardPool {
  readonly provider: string;
  snapshot(): KeySnapshot[];
  onAny?(listener: (event: PoolEvent) => void): () => void;
  refresh?(): Promise<void>;
}

/** One step of a chain as the dashboard shows it (what `FallbackChain.status()` returns). */
export interface DashboardStepStatus {
  index: number;
  name: string;
  provider: string;
  model: string;
  breaker: string;
  breakerRemainingMs?: number;
}

/** A fallback chain the dashboard shows: `FallbackChain` from `@keypool/fallback` fits. */
export interface DashboardChain {
  status(): DashboardStepStatus[];
  onAny?(listener: (event: { type: string }) => void): () => void;
}

/** A named pool or chain, when the default names (the provider; `chain`, `chain-2`) do not suit. */
export interface Named<T> {
  name: string;
  source: T;
}
