import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/anthropic',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
