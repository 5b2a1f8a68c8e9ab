import { defineProject } from 'vitest/config';

export default defineProject({
  // Workspace packages (@keypool/core, @keypool/emulator) resolve to their sources, as in the root config: their
  // dist may be stale or mid-build.
  resolve: { conditions: ['@keypool/source'] },
  ssr: { resolve: { conditions: ['@keypool/source'] } },
  test: {
    name: '@keypool/redis',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
