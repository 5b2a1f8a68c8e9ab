import type { ProviderId } from '@keypool/keystore';
import { CliError } from './cli-error';
import { DEFAULT_MODELS, parseProvider } from './providers';

/** One step of a chain as the command line gives it. */
export interface ChainSpecStep {
  provider: ProviderId;
  model: string;
  contextWindow?: number;
  maxTokens?: number;
  temperature?: number;
}

/**
 * Parses `--chain anthropic:claude-haiku-4-5,openai:gpt-4o-mini,gemini`: comma-separated `provider:model`
 * steps, in order; a step without a model uses the provider's default small model. A model name may itself contain
 * colons (`openai:ft:gpt-4o-mini:org::id`): only the first colon separates.
 */
export function parseChain(value: string): ChainSpecStep[] {
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) throw CliError.usage('--chain is empty: give provider:model steps', 'bad_chain');
  return parts.map((part) => {
    const separator = part.indexOf(':');
    const provider = parseProvider(separator === -1 ? part : part.slice(0, separator));
    const model = separator === -1 ? DEFAULT_MODELS[provider] : part.slice(separator + 1).trim();
    if (model === '') throw CliError.usage(`--chain step "${part}" has an empty model`, 'bad_chain');
    return { provider, model };
  });
}
