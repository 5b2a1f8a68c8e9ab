import type { ProviderId } from './provider-id';

/** One step of a fallback chain: a model on a provider, tried in order. */
export interface FallbackStep {
  provider: ProviderId;
  model: string;
  /** The model's context window in tokens; lets the chain skip to a larger model on context_length errors. */
  contextWindow?: number;
  maxTokens?: number;
  temperature?: number;
}

/** Named fallback chains, e.g. `{ default: [...] }`. */
export type FallbackChains = Record<string, FallbackStep[]>;
