import { keypoolProject } from '../../vitest.shared';

export default keypoolProject('@keypool/otel', { testTimeout: 30_000 });
