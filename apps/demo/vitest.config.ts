import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/demo',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
