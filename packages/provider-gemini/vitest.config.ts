import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/gemini',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
