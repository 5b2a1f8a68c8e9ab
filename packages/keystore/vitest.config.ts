import { fileURLToPath } from 'node:url';
import { keypoolProject } from '../../vitest.shared';

export default keypoolProject('@keypool/keystore', {
  // README examples run as written: their `import ... from '@keypool/keystore'` is this package's sources.
  alias: { '@keypool/keystore': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
});
