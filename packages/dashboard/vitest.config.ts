import { keypoolProject } from '../../vitest.shared';

export default keypoolProject('@keypool/dashboard', { testTimeout: 60_000, hookTimeout: 60_000 });
