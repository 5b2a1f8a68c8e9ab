import { type FailureRecord, isFailureRecord } from '@keypool/core';
import type { RedisClient } from './lua-script';

/** Lists read per pipeline by `readFailureLists`. */
const READ_CHUNK = 256;

/**
 * Keeps one failure in a key's shared history: LPUSH, LTRIM to `keep` entries and PEXPIRE in one MULTI (one round
 * trip, sent alongside the attempt's record), so the list stays bounded and goes away with an unused key.
 */
export async function appendFailure(
  client: RedisClient,
  name: string,
  failure: FailureRecord,
  keep: number,
  ttlMs: number,
): Promise<void> {
  const replies = await client
    .multi()
    .lpush(name, JSON.stringify(failure))
    .ltrim(name, 0, keep - 1)
    .pexpire(name, ttlMs)
    .exec();
  const failed = replies?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}

/** Reads several keys' shared histories (pipelined LRANGEs), each oldest first; entries that do not parse are dropped. */
export async function readFailureLists(
  client: RedisClient,
  names: readonly string[],
): Promise<FailureRecord[][]> {
  const lists: FailureRecord[][] = [];
  for (let start = 0; start < names.length; start += READ_CHUNK) {
    const pipeline = client.pipeline();
    for (const name of names.slice(start, start + READ_CHUNK)) pipeline.lrange(name, 0, -1);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error, items] of replies) {
      if (error) throw error;
      lists.push(parseFailures(items as string[]));
    }
  }
  return lists;
}

function parseFailures(items: readonly string[]): FailureRecord[] {
  const records: FailureRecord[] = [];
  // LPUSH keeps the newest first; a history reads oldest first.
  for (let index = items.length - 1; index >= 0; index--) {
    try {
      const parsed: unknown = JSON.parse(items[index] as string);
      if (isFailureRecord(parsed)) records.push(parsed);
    } catch {
      // Not one of ours: skip it.
    }
  }
  return records;
}
