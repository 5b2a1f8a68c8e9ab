import { ConfigError } from '@keypool/core';

/**
 * Where a pool's state lives in Redis. Every name starts with the base. The base carries one Redis Cluster hash tag
 * per pool, so every key of a pool hashes to one slot (each script's keys sit together, a quota group's cooling stays
 * atomic) while pools with different tags spread over a cluster's shards. API keys are named by fingerprint (a hash of
 * the secret), never by the secret.
 */
export interface RedisKeyNames {
  /** The start of every key name: `{openai}` for prefix `openai`, `keypool:{openai}` with tag `openai`. */
  readonly base: string;
  /** The pool's hash tag (without braces), or undefined without one. */
  readonly tag: string | undefined;
  /** The pub/sub channel for key changes: `<prefix>:events`, or `<base>:events` with an explicit tag. */
  readonly channel: string;
  /** The Redis key holding one API key's state and sliding windows: `<base>:key:<fingerprint>`. */
  key(fingerprint: string): string;
  /** The Redis list holding one API key's last failures, newest first: `<base>:history:<fingerprint>`. */
  history(fingerprint: string): string;
}

const TAG_IN_PREFIX = /\{([^}]+)\}/;

/**
 * Builds the key names for a prefix and a hash tag setting: `true` derives the tag from the prefix (`{prefix}`, or the
 * `{tag}` the prefix already holds), a string is the tag itself (`<prefix>:{tag}`), `false` uses no tag (single node).
 * Throws a `ConfigError` for an empty tag, a tag with braces, or a prefix that holds a tag when another is given.
 */
export function redisKeyNames(prefix: string, hashTag: boolean | string): RedisKeyNames {
  const inPrefix = TAG_IN_PREFIX.exec(prefix)?.[1];
  if (typeof hashTag === 'string') {
    if (hashTag.length === 0 || /[{}]/.test(hashTag))
      throw new ConfigError('Redis store options', [
        { path: 'hashTag', message: 'must be a non-empty string without braces, or a boolean' },
      ]);
    if (inPrefix !== undefined)
      throw new ConfigError('Redis store options', [
        {
          path: 'hashTag',
          message: `the prefix already holds the hash tag {${inPrefix}}: pass one or the other`,
        },
      ]);
    const base = `${prefix}:{${hashTag}}`;
    return {
      base,
      tag: hashTag,
      channel: `${base}:events`,
      key: (fingerprint) => `${base}:key:${fingerprint}`,
      history: (fingerprint) => `${base}:history:${fingerprint}`,
    };
  }
  const tag = hashTag ? (inPrefix ?? prefix) : undefined;
  const base = hashTag && inPrefix === undefined ? `{${prefix}}` : prefix;
  return {
    base,
    tag,
    channel: `${prefix}:events`,
    key: (fingerprint) => `${base}:key:${fingerprint}`,
    history: (fingerprint) => `${base}:history:${fingerprint}`,
  };
}
