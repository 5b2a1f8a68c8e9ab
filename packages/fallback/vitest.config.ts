import { defineProject } from 'vitest/config';

export default defineProject({
  // Workspace packages (core, the providers, the emulator) resolve to their sources, never to a dist being rebuilt.
  resolve: { conditions: ['@keypool/source'] },
  ssr: { resolve: { conditions: ['@keypool/source'] } },
  test: {
    name: '@keypool/fallback',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
