import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/emulator',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
