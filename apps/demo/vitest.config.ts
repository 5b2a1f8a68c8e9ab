import { defineProject } from 'vitest/config';

export default defineProject({
  // Unit tests read the workspace packages from their sources; the CLI tests run the BUILT CLI (dist/cli.js) as a
  // subprocess, which imports the packages' built dist: test/build-cli.ts builds both first (turbo, cached).
  resolve: { conditions: ['@keypool/source'] },
  ssr: { resolve: { conditions: ['@keypool/source'] } },
  test: {
    name: '@keypool/demo',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/build-cli.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
