import type { ProviderName } from './categories';
import { KeypoolError } from './errors';

/**
 * A request asks for something the provider (or its unified mapping) cannot do, e.g. a seed on Anthropic or a
 * document by URL on OpenAI. Thrown before any request is sent; adapters classify it `invalid_request`, so it is never
 * retried on another key.
 */
export class UnsupportedFeatureError extends KeypoolError {
  /** The provider that lacks the feature. */
  readonly provider: ProviderName;
  /** What is not supported, in words. */
  readonly feature: string;

  constructor(provider: ProviderName, feature: string) {
    super('unsupported_feature', `${provider} does not support ${feature}`);
    this.name = 'UnsupportedFeatureError';
    this.provider = provider;
    this.feature = feature;
  }

  /** True for an `UnsupportedFeatureError` from any copy of the package. */
  static override isInstance(error: unknown): error is UnsupportedFeatureError {
    return KeypoolError.isInstance(error) && error.code === 'unsupported_feature';
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), provider: this.provider, feature: this.feature };
  }
}
