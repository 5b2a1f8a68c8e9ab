export { createPoolEngine, PoolEngine, type PoolEngineOptions } from './pool-engine';
