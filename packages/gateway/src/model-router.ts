import type { KeyPool } from '@keypool/core';
import type { FallbackChain } from '@keypool/fallback';
import type { ProviderId } from '@keypool/keystore';
import { type ApiDialect, GatewayError } from './api-error';
import type { ModelTarget } from './gateway-config';
import { isGatewayProvider } from './gateway-providers';

/** Where one request goes: a provider's pool with the upstream model name, or a chain. */
export type Route =
  | { kind: 'pool'; provider: ProviderId; pool: KeyPool; model: string }
  | { kind: 'chain'; name: string; chain: FallbackChain };

/**
 * Maps the model names clients send to pools and chains: first the config's `models`, then `chain:<name>`, then
 * `<provider>/<model>`, and last the API's own provider (an OpenAI-API request for an unmapped model goes to the
 * OpenAI pool with that model, an Anthropic-API one to the Anthropic pool).
 */
export class ModelRouter {
  constructor(
    private readonly models: Readonly<Record<string, ModelTarget>>,
    private readonly pools: Partial<Record<ProviderId, KeyPool>>,
    private readonly chains: Readonly<Record<string, FallbackChain>>,
  ) {}

  /** The route of a model name, or a `model_not_found` GatewayError. */
  route(model: string, dialect: ApiDialect): Route {
    const target = this.models[model] ?? this.parse(model, dialect);
    if (target?.kind === 'chain') {
      const chain = this.chains[target.chain];
      if (chain) return { kind: 'chain', name: target.chain, chain };
    } else if (target) {
      const pool = this.pools[target.provider];
      if (pool) return { kind: 'pool', provider: target.provider, pool, model: target.model };
    }
    throw new GatewayError(
      'model_not_found',
      `The model \`${model}\` does not exist or is not served by this gateway`,
    );
  }

  private parse(model: string, dialect: ApiDialect): ModelTarget | undefined {
    if (model.startsWith('chain:')) return { kind: 'chain', chain: model.slice('chain:'.length) };
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = model.slice(0, slash);
      // Only the providers the gateway serves: `deepseek/deepseek-chat` (an OpenRouter-style name) stays a model name.
      if (isGatewayProvider(provider)) return { kind: 'provider', provider, model: model.slice(slash + 1) };
    }
    return { kind: 'provider', provider: dialect, model };
  }

  /** The model names a client can list: the configured ones and every chain. */
  names(): string[] {
    return [
      ...new Set([...Object.keys(this.models), ...Object.keys(this.chains).map((name) => `chain:${name}`)]),
    ];
  }

  /** Who serves a listed name, for `/v1/models`' `owned_by`. */
  ownerOf(name: string): string {
    const target = this.models[name];
    if (target === undefined || target.kind === 'chain') return 'keypool';
    return target.provider;
  }
}
