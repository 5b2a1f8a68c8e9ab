import { defineProject } from 'vitest/config';

export default defineProject({
  // Workspace packages (@keypool/core) resolve to their sources, as in the root config: their dist may be stale.
  resolve: { conditions: ['@keypool/source'] },
  ssr: { resolve: { conditions: ['@keypool/source'] } },
  test: {
    name: '@keypool/keystore',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
