import { defineConfig } from 'tsdown';

// The library is built for both module systems; the CLI (top-level await) is ESM only.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    fixedExtension: false,
  },
  {
    entry: ['src/cli.ts'],
    format: 'esm',
    platform: 'node',
    dts: false,
    sourcemap: true,
    clean: false,
    fixedExtension: false,
  },
]);
