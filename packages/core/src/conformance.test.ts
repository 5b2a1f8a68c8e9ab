import { createKeyPool } from './key-pool';
import { MemoryStateStore } from './memory-store';
import { runAdapterConformance } from './testing/adapter-conformance';
import { FakeAdapter, FakeProviderError } from './testing/fake-adapter';
import { runStoreConformance } from './testing/store-conformance';

runStoreConformance({ name: 'MemoryStateStore', createStore: () => new MemoryStateStore() });

runAdapterConformance({
  name: 'FakeAdapter',
  createAdapter: () => new FakeAdapter(),
  canarySecret: 'sk-canary',
  errorCases: [
    {
      name: 'a scripted rate limit',
      error: new FakeProviderError('rate_limit', { retryAfterMs: 5 }),
      expected: { category: 'rate_limit', retryAfterMs: 5 },
    },
    {
      name: 'an abort',
      error: Object.assign(new Error('aborted'), { name: 'AbortError' }),
      expected: { category: 'aborted' },
    },
    { name: 'anything else', error: new Error('boom'), expected: { category: 'server' } },
  ],
  live: () => ({
    goodKeys: ['sk-live-one-0000000000000', 'sk-live-two-0000000000000', 'sk-live-three-00000000000'],
    model: 'fake-model',
    createPool: (keys) => createKeyPool({ adapter: new FakeAdapter(), keys }),
  }),
});
