import { defineConfig } from 'vitest/config';

// One run for the whole repository: every package and app is a project with its own vitest.config.ts.
export default defineConfig({
  resolve: { conditions: ['@keypool/source'] },
  test: {
    projects: ['packages/*', 'apps/*', 'bench'],
  },
});
