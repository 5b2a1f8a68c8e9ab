import { keypoolProject } from '../vitest.shared';

export default keypoolProject('@keypool/bench', { include: ['src/**/*.test.ts'] });
