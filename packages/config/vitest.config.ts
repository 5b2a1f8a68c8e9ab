import { keypoolProject } from '../../vitest.shared';

export default keypoolProject('@keypool/config', { testTimeout: 30_000 });
