import { defineConfig } from 'tsdown';
import { esmOnlyTypeImports } from '../../scripts/esm-only-type-imports.ts';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  platform: 'neutral',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  // Their SDK's types are ESM: the CommonJS declarations import them with resolution-mode import.
  onSuccess: esmOnlyTypeImports(['@google/genai']),
});
