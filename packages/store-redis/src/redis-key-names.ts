/**
 * Where a pool's state lives in Redis. Every name starts with the prefix; with a hash tag (the default) the prefix is
 * wrapped in braces (`{keypool}`), so every key of the pool hashes to one Redis Cluster slot and each script's keys
 * sit together. API keys are named by fingerprint (a hash of the secret), never by the secret.
 */
export interface RedisKeyNames {
  /** The prefix every key name starts with: `{keypool}` with a hash tag, else `keypool`. */
  readonly base: string;
  /** The pub/sub channel for key changes: `<prefix>:events`. */
  readonly channel: string;
  /** The Redis key holding one API key's state and sliding windows: `<base>:key:<fingerprint>`. */
  key(fingerprint: string): string;
}

/** Builds the key names for a prefix. A prefix that already holds a `{hash tag}` is used as it is. */
export function redisKeyNames(prefix: string, hashTag: boolean): RedisKeyNames {
  const base = hashTag && !/\{[^}]+\}/.test(prefix) ? `{${prefix}}` : prefix;
  return {
    base,
    channel: `${prefix}:events`,
    key: (fingerprint) => `${base}:key:${fingerprint}`,
  };
}
