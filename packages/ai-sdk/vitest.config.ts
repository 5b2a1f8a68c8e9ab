import { keypoolProject } from '../../vitest.shared';

export default keypoolProject('@keypool/ai-sdk');
