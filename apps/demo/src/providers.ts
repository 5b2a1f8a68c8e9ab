import { PROVIDER_IDS, type ProviderId } from '@keypool/keystore';
import { CliError } from './cli-error';

/** The providers the CLI knows, in the order it lists them. */
export const PROVIDERS: readonly ProviderId[] = PROVIDER_IDS;

/** The order of a chain built from whatever keys there are (`chat` without `--chain`, and the demo's chain). */
export const CHAIN_ORDER: readonly ProviderId[] = ['anthropic', 'openai', 'gemini', 'mistral'];

/** A small, cheap model per provider: what `keys test` calls and what `chat` uses when a chain names none. */
export const DEFAULT_MODELS: Record<ProviderId, string> = {
  anthropic: 'claude-haiku-4-5',
  openai: 'gpt-4o-mini',
  gemini: 'gemini-2.5-flash',
  mistral: 'mistral-small-latest',
};

/** The provider named by a command-line argument, or a usage error listing the known ones. */
export function parseProvider(value: string): ProviderId {
  const name = value.trim().toLowerCase();
  if ((PROVIDERS as readonly string[]).includes(name)) return name as ProviderId;
  throw CliError.usage(`unknown provider "${value}": use one of ${PROVIDERS.join(', ')}`, 'unknown_provider');
}
