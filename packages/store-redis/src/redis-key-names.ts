/** The three sliding windows a key can have: requests per minute, tokens per minute, requests per day. */
export type WindowName = 'requests' | 'tokens' | 'day';

/**
 * Where a pool's state lives in Redis. Every name starts with the prefix; with a hash tag (the default) the prefix is
 * wrapped in braces (`{keypool}`), so every key of the pool hashes to one Redis Cluster slot and each script's keys
 * sit together. Keys are named by fingerprint (a hash of the secret), never by the secret.
 */
export interface RedisKeyNames {
  /** The prefix every key name starts with: `{keypool}` with a hash tag, else `keypool`. */
  readonly base: string;
  /** The pub/sub channel for key changes: `<prefix>:events`. */
  readonly channel: string;
  /** The hash holding one key's state: `<base>:state:<fingerprint>`. */
  state(fingerprint: string): string;
  /** The hash holding one of a key's sliding windows: `<base>:window:<fingerprint>:<window>`. */
  window(fingerprint: string, window: WindowName): string;
}

/** Builds the key names for a prefix. A prefix that already holds a `{hash tag}` is used as it is. */
export function redisKeyNames(prefix: string, hashTag: boolean): RedisKeyNames {
  const base = hashTag && !/\{[^}]+\}/.test(prefix) ? `{${prefix}}` : prefix;
  return {
    base,
    channel: `${prefix}:events`,
    state: (fingerprint) => `${base}:state:${fingerprint}`,
    window: (fingerprint, window) => `${base}:window:${fingerprint}:${window}`,
  };
}
