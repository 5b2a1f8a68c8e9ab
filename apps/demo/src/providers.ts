import {
  OPENAI_PRESET_IDS,
  PROVIDER_IDS,
  type ProviderFamily,
  type ProviderId,
  unknownProviderMessage,
} from '@keypool/keystore';
import { CliError } from './cli-error';

/** The providers the CLI knows, in the order it lists them: the four SDK families, the presets, Azure. */
export const PROVIDERS: readonly ProviderId[] = PROVIDER_IDS;

/** The SDK families in the order of the demo's chain. */
export const FAMILY_CHAIN_ORDER: readonly ProviderFamily[] = ['anthropic', 'openai', 'gemini', 'mistral'];

/**
 * The order of a chain built from whatever keys there are (`chat` without `--chain`): the families, then the
 * OpenAI-compatible presets, then Azure.
 */
export const CHAIN_ORDER: readonly ProviderId[] = [...FAMILY_CHAIN_ORDER, ...OPENAI_PRESET_IDS, 'azure'];

/** A small, cheap model per provider: what `keys test` calls and what `chat` uses when a chain names none. */
export const DEFAULT_MODELS: Record<ProviderId, string> = {
  anthropic: 'claude-haiku-4-5',
  openai: 'gpt-4o-mini',
  gemini: 'gemini-2.5-flash',
  mistral: 'mistral-small-latest',
  deepseek: 'deepseek-chat',
  groq: 'llama-3.1-8b-instant',
  openrouter: 'openai/gpt-4o-mini',
  together: 'meta-llama/Llama-3.2-3B-Instruct-Turbo',
  fireworks: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
  xai: 'grok-3-mini',
  cerebras: 'llama3.1-8b',
  perplexity: 'sonar',
  // Azure calls name a deployment: a deployment named after its model is the common convention.
  azure: 'gpt-4o-mini',
};

/** The provider named by a command-line argument, or a usage error with a did-you-mean and the known ones. */
export function parseProvider(value: string): ProviderId {
  const name = value.trim().toLowerCase();
  if ((PROVIDERS as readonly string[]).includes(name)) return name as ProviderId;
  throw CliError.usage(unknownProviderMessage(value.trim()), 'unknown_provider');
}
