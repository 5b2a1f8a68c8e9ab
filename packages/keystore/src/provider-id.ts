import { didYouMean, maskSecret } from '@keypool/core';

/** The SDK families: each has its own Keypool package and SDK (`@keypool/openai`, `@keypool/anthropic`...). */
export const PROVIDER_FAMILIES = ['openai', 'anthropic', 'gemini', 'mistral'] as const;

/** An SDK family. */
export type ProviderFamily = (typeof PROVIDER_FAMILIES)[number];

/**
 * The OpenAI-compatible services with a preset in `@keypool/openai` (`OPENAI_COMPATIBLE_PRESETS`): each is a provider
 * of the `openai` family with its own id, base URL, environment variables and provider label.
 */
export const OPENAI_PRESET_IDS = [
  'deepseek',
  'groq',
  'openrouter',
  'together',
  'fireworks',
  'xai',
  'cerebras',
  'perplexity',
] as const;

/** The id of an OpenAI-compatible preset. */
export type OpenAIPresetId = (typeof OPENAI_PRESET_IDS)[number];

/** Azure OpenAI's id in keys files and the CLI (its pools label events `azure-openai`). */
export const AZURE_PROVIDER_ID = 'azure';

/** The providers Keypool knows, in a fixed order (the order results are reported in): families, presets, Azure. */
export const PROVIDER_IDS = [...PROVIDER_FAMILIES, ...OPENAI_PRESET_IDS, AZURE_PROVIDER_ID] as const;

/** A provider Keypool can hold keys for. */
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** The provider label of Azure's pools (`createAzureOpenAIPool`): on their events, snapshots and errors. */
export const AZURE_PROVIDER_LABEL = 'azure-openai';

/** The label a provider's pools carry on events, snapshots and errors: its id, except Azure's `azure-openai`. */
export function providerLabel(provider: ProviderId): string {
  return provider === AZURE_PROVIDER_ID ? AZURE_PROVIDER_LABEL : provider;
}

/** Whether a string names a provider Keypool knows. */
export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
}

/** Whether a provider id names an OpenAI-compatible preset (`groq`, `deepseek`...). */
export function isOpenAIPresetId(value: unknown): value is OpenAIPresetId {
  return typeof value === 'string' && (OPENAI_PRESET_IDS as readonly string[]).includes(value);
}

/** The SDK family of a provider: presets and Azure are `openai`, the families are themselves. */
export function providerFamily(provider: ProviderId): ProviderFamily {
  return (PROVIDER_FAMILIES as readonly string[]).includes(provider)
    ? (provider as ProviderFamily)
    : 'openai';
}

/** Names people use for a provider that are not its id. */
const PROVIDER_ALIASES: Readonly<Record<string, ProviderId>> = {
  'azure-openai': 'azure',
  azure_openai: 'azure',
  azureopenai: 'azure',
  claude: 'anthropic',
  google: 'gemini',
  grok: 'xai',
  'x.ai': 'xai',
  pplx: 'perplexity',
  'together-ai': 'together',
  togetherai: 'together',
};

/** The known provider a mistyped or aliased name most likely means (`"grok"` → `xai`), or undefined. */
export function suggestProviderId(name: string, known: readonly string[] = PROVIDER_IDS): string | undefined {
  const lower = name.trim().toLowerCase();
  const alias = PROVIDER_ALIASES[lower];
  if (alias !== undefined && known.includes(alias)) return alias;
  return didYouMean(lower, known);
}

/**
 * The message for a provider name that is not known: `unknown provider "groqq" (did you mean "groq"?); known: ...`.
 * `known` narrows the list where only some providers are supported (the gateway's families).
 */
export function unknownProviderMessage(name: string, known: readonly string[] = PROVIDER_IDS): string {
  const suggestion = suggestProviderId(name, known);
  // A long "name" may be a secret pasted in the wrong place: mask it.
  const shown = name.length >= 20 ? maskSecret(name) : name;
  return `unknown provider "${shown}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; known: ${known.join(', ')}`;
}
