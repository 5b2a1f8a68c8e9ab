import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/core',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
