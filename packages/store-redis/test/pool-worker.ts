// A worker process of the multi-process tests: `node --conditions=@keypool/source test/pool-worker.ts`.
import { registerSourceHooks } from './source-hooks.ts';

registerSourceHooks();
await import('./pool-worker-main.ts');
