import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/engine.ts', 'src/testing.ts', 'src/native-streams.ts'],
  format: ['esm', 'cjs'],
  platform: 'neutral',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
});
