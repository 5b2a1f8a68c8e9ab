import { keypoolProject } from '../../vitest.shared';

export default keypoolProject('@keypool/gateway', { testTimeout: 20_000, hookTimeout: 20_000 });
