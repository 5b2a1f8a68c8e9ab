import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/redis',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
