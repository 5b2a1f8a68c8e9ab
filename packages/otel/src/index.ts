export { type InstrumentableChain, instrumentChain } from './instrument-chain';
export { type InstrumentOptions, instrumentPool } from './instrument-pool';
export { ATTR, genAiProvider } from './keypool-attributes';
export { type KeypoolMetrics, keypoolMetrics } from './keypool-metrics';
