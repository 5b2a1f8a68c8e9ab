import { Redis } from 'ioredis';
import type { VirtualKeyConfig } from './gateway-config';
import { type BudgetTicket, MemoryVirtualKeyBudget, type VirtualKeyBudget } from './virtual-key-budget';

// One window is two buckets (this one and the last); the last one counts by the share of it still inside the window.
// A request is admitted when one more request and its tokens fit; -1 means admitted, else the ms to wait.
const TAKE = `
local now = redis.call('HMGET', KEYS[1], 'r', 't')
local last = redis.call('HMGET', KEYS[2], 'r', 't')
local share = tonumber(ARGV[4])
local requests = (tonumber(now[1]) or 0) + (tonumber(last[1]) or 0) * share
local tokens = (tonumber(now[2]) or 0) + (tonumber(last[2]) or 0) * share
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
if (rpm >= 0 and requests + 1 > rpm) or (tpm >= 0 and tokens > 0 and tokens + cost > tpm) then
  return tonumber(ARGV[6])
end
redis.call('HINCRBY', KEYS[1], 'r', 1)
redis.call('HINCRBY', KEYS[1], 't', cost)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return -1
`;

type BudgetRedis = Redis & {
  keypoolBudgetTake(current: string, last: string, ...args: (string | number)[]): Promise<number>;
};

/**
 * Virtual-key budgets shared by every gateway process on one Redis: each key's requests and tokens per window are
 * counted in Redis by one Lua script per request. When Redis fails or is slower than `timeoutMs`, the request is
 * counted in this process's memory instead (fail-open), so an outage of Redis never stops the gateway.
 */
export class RedisVirtualKeyBudget implements VirtualKeyBudget {
  private readonly redis: BudgetRedis;
  private readonly local: MemoryVirtualKeyBudget;
  /** Settles once the first connection is up, or after `connectTimeoutMs` (then requests count locally). */
  private readonly connected: Promise<void>;

  /** `url` of the Redis, `prefix` of its key names; `windowMs` the budget's "minute". */
  constructor(
    url: string,
    private readonly prefix = 'keypool',
    private readonly windowMs = 60_000,
    private readonly timeoutMs = 50,
    connectTimeoutMs = 2_000,
  ) {
    this.redis = new Redis(url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: false,
    }) as BudgetRedis;
    // Connection errors fall back to local counting; without a listener ioredis would print them.
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('keypoolBudgetTake', { numberOfKeys: 2, lua: TAKE });
    this.local = new MemoryVirtualKeyBudget(windowMs);
    this.connected = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, connectTimeoutMs);
      timer.unref();
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async take(key: VirtualKeyConfig, tokens: number): Promise<BudgetTicket | number> {
    if (key.rpm === undefined && key.tpm === undefined) return { settle: () => undefined };
    if (this.redis.status !== 'ready') await this.connected;
    const now = Date.now();
    const bucket = Math.floor(now / this.windowMs);
    const share = 1 - (now % this.windowMs) / this.windowMs;
    const name = (index: number) => `{${this.prefix}}:vk:${key.id}:${index}`;
    const current = name(bucket);
    const toNext = this.windowMs - (now % this.windowMs);
    try {
      const wait = await Promise.race([
        this.redis.keypoolBudgetTake(
          current,
          name(bucket - 1),
          key.rpm ?? -1,
          key.tpm ?? -1,
          Math.ceil(tokens),
          share,
          this.windowMs * 2,
          toNext,
        ),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('redis timeout')), this.timeoutMs).unref(),
        ),
      ]);
      if (wait >= 0) return Math.max(1, wait);
      return {
        settle: (used) => {
          const delta = Math.round(used - tokens);
          if (delta !== 0) void this.redis.hincrby(current, 't', delta).catch(() => undefined);
        },
      };
    } catch {
      return this.local.take(key, tokens);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
