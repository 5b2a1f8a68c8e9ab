import { defineProject } from 'vitest/config';

export default defineProject({
  // Workspace packages (@keypool/core, @keypool/emulator) resolve to their sources, never to a dist being rebuilt.
  resolve: { conditions: ['@keypool/source'] },
  ssr: { resolve: { conditions: ['@keypool/source'] } },
  test: {
    name: '@keypool/openai',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
