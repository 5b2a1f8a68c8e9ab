import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/vault.ts', 'src/aws.ts', 'src/azure.ts', 'src/gcp.ts'],
  format: ['esm', 'cjs'],
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  fixedExtension: false,
  external: [/^@aws-sdk\//, /^@azure\//, /^@google-cloud\//],
});
