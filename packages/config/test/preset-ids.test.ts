import { KEYPOOL_PROVIDERS } from '@keypool/fallback';
import { AZURE_PROVIDER_LABEL, OPENAI_PRESET_IDS, PROVIDER_IDS, providerLabel } from '@keypool/keystore';
import { AZURE_OPENAI_PRESET, OPENAI_COMPATIBLE_PRESETS } from '@keypool/openai';
import { expect, it } from 'vitest';

// The keystore and the fallback registry name the presets without depending on @keypool/openai: their lists must
// stay the presets that exist.
it('keystore names exactly the presets @keypool/openai has, with the same labels, and Azure by its label', () => {
  expect([...OPENAI_PRESET_IDS].sort()).toEqual(Object.keys(OPENAI_COMPATIBLE_PRESETS).sort());
  for (const id of OPENAI_PRESET_IDS) expect(providerLabel(id)).toBe(OPENAI_COMPATIBLE_PRESETS[id].provider);
  expect(AZURE_PROVIDER_LABEL).toBe(AZURE_OPENAI_PRESET.provider);
});

it("the fallback registry holds a pool for every keys-file provider, under its pools' label", () => {
  expect([...KEYPOOL_PROVIDERS].sort()).toEqual(PROVIDER_IDS.map(providerLabel).sort());
});
