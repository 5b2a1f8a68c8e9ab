import { sha256Hex } from '@keypool/core';
import type { ProviderId } from '@keypool/keystore';

/**
 * Deterministic fake secrets for the emulator, e.g. `sk-demo-openai-1-3f9a0c…`: long enough to look real and to be
 * masked like a real one (`sk-d...0c4e`). They are treated as secrets all the same: registered with the redactor,
 * shown masked only. They open nothing: the emulator is the only server that knows them.
 */
export function fakeSecret(
  provider: ProviderId,
  index: number,
  seed: number | string,
  prefix = 'demo',
): string {
  return `sk-${prefix}-${provider}-${index}-${sha256Hex(`${seed}:${prefix}:${provider}:${index}`).slice(0, 24)}`;
}
