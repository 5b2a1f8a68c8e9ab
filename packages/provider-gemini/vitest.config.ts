import { defineProject } from 'vitest/config';

export default defineProject({
  // Workspace packages (@keypool/core, @keypool/emulator) resolve to their sources: their dist may be stale.
  resolve: { conditions: ['@keypool/source'] },
  ssr: { resolve: { conditions: ['@keypool/source'] } },
  test: {
    name: '@keypool/gemini',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
