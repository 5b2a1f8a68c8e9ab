import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/fallback',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
