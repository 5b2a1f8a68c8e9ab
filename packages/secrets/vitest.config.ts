import { keypoolProject } from '../../vitest.shared';

export default keypoolProject('@keypool/secrets', { testTimeout: 30_000 });
