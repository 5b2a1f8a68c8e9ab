import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/bench',
    include: ['src/**/*.test.ts'],
  },
});
