import { keypoolProject } from '../../vitest.shared';

// Unit tests read the workspace packages from their sources; the CLI tests run the BUILT CLI (dist/cli.js) as a
// subprocess, which imports the packages' built dist: test/build-cli.ts builds both first (turbo, cached).
export default keypoolProject('keypool', {
  globalSetup: ['test/build-cli.ts'],
  testTimeout: 90_000,
  hookTimeout: 90_000,
});
