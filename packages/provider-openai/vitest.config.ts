import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/openai',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
