import type { ProviderFamily } from '@keypool/keystore';
import { fakeSecret } from '../fake-keys';
import { FAMILY_CHAIN_ORDER } from '../providers';

/** The chain's order in the demo (the four SDK families): the provider tried first comes first. */
export const DEMO_CHAIN_ORDER = FAMILY_CHAIN_ORDER;

/** The model each provider is asked for in the demo (the emulator answers any name). */
export const DEMO_MODELS: Record<ProviderFamily, string> = {
  anthropic: 'claude-sonnet-4-6',
  openai: 'gpt-4o-mini',
  gemini: 'gemini-2.5-flash',
  mistral: 'mistral-small-latest',
};

/** How long each provider's model takes to answer, relative to the run's base latency. */
const LATENCY_FACTORS: Record<ProviderFamily, number> = {
  anthropic: 1,
  openai: 0.9,
  gemini: 0.75,
  mistral: 0.85,
};

/**
 * The emulated answer time of a provider's model. It is the model's `firstTokenDelayMs` in the emulator: only an
 * answer waits for it, while a 401 or a 429 comes back at once, as real providers do. (A key's `latencyMs` would
 * delay errors too, and keep a revoked key's in-flight requests out for the whole delay.)
 */
export function demoLatency(provider: ProviderFamily, baseMs: number): number {
  return Math.round(baseMs * LATENCY_FACTORS[provider]);
}

/** One fake key of the demo. */
export interface DemoKey {
  provider: ProviderFamily;
  id: string;
  secret: string;
}

/** The demo's keys: `keysPerProvider` fake keys per provider (`anthropic-1`...). */
export function demoFleet(seed: number, keysPerProvider = 3): DemoKey[] {
  return DEMO_CHAIN_ORDER.flatMap((provider) =>
    Array.from({ length: keysPerProvider }, (_, index) => ({
      provider,
      id: `${provider}-${index + 1}`,
      secret: fakeSecret(provider, index + 1, seed),
    })),
  );
}

/** The fleet's key with this id; throws on a typo in a scenario. */
export function demoKey(fleet: readonly DemoKey[], id: string): DemoKey {
  const key = fleet.find((candidate) => candidate.id === id);
  if (!key) throw new Error(`no demo key ${id}`);
  return key;
}
