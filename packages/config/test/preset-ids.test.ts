import { AZURE_PROVIDER_LABEL, OPENAI_PRESET_IDS, providerLabel } from '@keypool/keystore';
import { AZURE_OPENAI_PRESET, OPENAI_COMPATIBLE_PRESETS } from '@keypool/openai';
import { expect, it } from 'vitest';

// The keystore names the presets without depending on @keypool/openai: its list must stay the presets that exist.
it('keystore names exactly the presets @keypool/openai has, with the same labels, and Azure by its label', () => {
  expect([...OPENAI_PRESET_IDS].sort()).toEqual(Object.keys(OPENAI_COMPATIBLE_PRESETS).sort());
  for (const id of OPENAI_PRESET_IDS) expect(providerLabel(id)).toBe(OPENAI_COMPATIBLE_PRESETS[id].provider);
  expect(AZURE_PROVIDER_LABEL).toBe(AZURE_OPENAI_PRESET.provider);
});
