import { ProviderError } from './errors';
import type { PoolCore } from './pool-core';

/**
 * A call named a model that no key of the pool may serve (every key is bound to other models by its `models` list).
 * Thrown before any key is reserved or any request is sent. It is an `invalid_request` with `modelNotFound` set, so a
 * fallback chain moves on to its next step, as it does for a model the provider does not know.
 */
export class NoKeyForModelError extends ProviderError {
  /** The model the call named. */
  readonly model: string;

  constructor(provider: ProviderError['provider'], model: string, allowed: readonly string[]) {
    const shown = allowed.length > 12 ? [...allowed.slice(0, 12), '...'] : allowed;
    super({
      category: 'invalid_request',
      provider,
      modelNotFound: true,
      message: `no key of this pool allows the model "${model}" (the keys are bound to: ${shown.join(', ')})`,
    });
    this.name = 'NoKeyForModelError';
    this.model = model;
  }
}

/** Throws `NoKeyForModelError` when no key of the pool allows the scope's model (a call that names no model passes). */
export function requireKeyForModel<T>(core: PoolCore<T>, scope: string): void {
  if (scope === '*' || core.bindings.countAllowing(scope, core.keys.values()) > 0) return;
  const allowed = new Set<string>();
  for (const key of core.keys.values())
    for (const model of core.bindings.modelsOf(key) ?? []) allowed.add(model);
  throw new NoKeyForModelError(core.provider, scope, [...allowed]);
}
