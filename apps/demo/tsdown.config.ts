import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/cli.ts'],
  format: 'esm',
  platform: 'node',
  dts: false,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
});
