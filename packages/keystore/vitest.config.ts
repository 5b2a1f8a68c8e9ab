import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@keypool/keystore',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
