import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Redis client the store can use: a single node (or primary) or a cluster. */
export type RedisClient = Redis | Cluster;

/**
 * One Lua script, run with EVALSHA (one round trip). When Redis does not know the script yet (first use, or after a
 * restart emptied its script cache) the NOSCRIPT reply is answered with one EVAL, which also caches it again.
 */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` and `args`. */
  async run(
    client: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
