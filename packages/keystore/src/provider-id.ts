/** The providers Keypool knows, in a fixed order (the order results are reported in). */
export const PROVIDER_IDS = ['openai', 'anthropic', 'gemini', 'mistral'] as const;

/** A provider Keypool can hold keys for. */
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** Whether a string names a provider Keypool knows. */
export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && (PROVIDER_IDS as readonly string[]).includes(value);
}
