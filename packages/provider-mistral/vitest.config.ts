import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/mistral',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
