export type { RedisClient } from './lua-script';
export { type RedisKeyNames, redisKeyNames } from './redis-key-names';
export { createRedisStore, RedisStateStore, type RedisStoreOptions } from './redis-store';
export type { RedisStoreEventName, RedisStoreEvents } from './redis-store-events';
export { RedisTimeoutError } from './with-timeout';
