import { createAnthropicPool } from '@keypool/anthropic';
import type { KeyPoolOptions } from '@keypool/core';
import type { Emulator, RequestLogEntry } from '@keypool/emulator';
import { createGeminiPool } from '@keypool/gemini';
import { createMistralPool } from '@keypool/mistral';
import { createOpenAIPool } from '@keypool/openai';

/**
 * Pool options every end-to-end test shares: quick retries (a retry waits 20-40 ms), and no waiting for a key (that is
 * the next step's job).
 */
type Common = Omit<KeyPoolOptions<unknown>, 'adapter' | 'keys'>;

function keysOf(prefix: string, secrets: readonly string[]) {
  return secrets.map((secret, index) => ({ id: `${prefix}-${index + 1}`, secret }));
}

/** Builds pools of the four real provider packages, pointed at one emulator. */
export function emulatorPools(emulator: Emulator, windowMs: number) {
  const common: Common = { windowMs, maxWaitMs: 0, retryBaseMs: 40, strategy: 'round-robin' };
  return {
    anthropic: (secrets: readonly string[], options: Common = {}) =>
      createAnthropicPool({
        keys: keysOf('ant', secrets),
        clientOptions: { baseURL: emulator.baseURLs.anthropic },
        ...common,
        ...options,
      }),
    openai: (secrets: readonly string[], options: Common = {}) =>
      createOpenAIPool({
        keys: keysOf('oai', secrets),
        clientOptions: { baseURL: emulator.baseURLs.openai },
        ...common,
        ...options,
      }),
    gemini: (secrets: readonly string[], options: Common = {}) =>
      createGeminiPool({
        keys: keysOf('gem', secrets),
        clientOptions: { httpOptions: { baseUrl: emulator.baseURLs.gemini } },
        ...common,
        ...options,
      }),
    mistral: (secrets: readonly string[], options: Common = {}) =>
      createMistralPool({
        keys: keysOf('mis', secrets),
        clientOptions: { serverURL: emulator.baseURLs.mistral },
        ...common,
        ...options,
      }),
  };
}

/** What reached the emulator for one model: each request's outcome, and the time since the first one. */
export function traffic(emulator: Emulator, model: string): { outcomes: string[]; times: number[] } {
  const entries = emulator.requests.filter((entry: RequestLogEntry) => entry.model === model);
  return { outcomes: entries.map((entry) => entry.outcome), times: entries.map((entry) => entry.time) };
}

/** Resolves after `ms` (real time). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
