import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  // The CommonJS build loads the provider packages it needs with require(), so one process holds one copy of each
  // package (their CommonJS builds), never an ESM copy beside it.
  outputOptions: { dynamicImportInCjs: false },
});
