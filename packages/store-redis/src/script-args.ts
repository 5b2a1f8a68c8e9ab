import type { AttemptRecord, StoreKey, WindowLengths } from '@keypool/core';
import type { RedisKeyNames } from './redis-key-names';
import { limitArgs } from './store-replies';

/** What every script call carries: where keys live, how long state lives, the events channel and this origin. */
export interface ScriptArgsOptions {
  names: RedisKeyNames;
  stateTtlMs: number;
  disabledTtlMs: number;
  /** The pub/sub channel, or '' without pub/sub. */
  channel: string;
  /** This store's id: a process skips its own pub/sub messages. */
  origin: string;
  countUntilRecorded: boolean;
}

/** Builds the scripts' KEYS and ARGV. The window lengths are the pool's (set on `register`). */
export class ScriptArgs {
  windows: WindowLengths = { minuteMs: 60_000, dayMs: 86_400_000 };

  private readonly options: ScriptArgsOptions;

  constructor(options: ScriptArgsOptions) {
    this.options = options;
  }

  /** The seven arguments every script takes first (see `LUA_COMMON`). */
  context(now: number): (string | number)[] {
    return [
      now,
      this.windows.minuteMs,
      this.windows.dayMs,
      this.options.stateTtlMs,
      this.options.disabledTtlMs,
      this.options.channel,
      this.options.origin,
    ];
  }

  private groupOf(key: StoreKey, attempt: AttemptRecord): readonly StoreKey[] {
    if (!attempt.group || attempt.cooldownUntil === undefined) return [];
    return attempt.group.filter((member) => member.fingerprint !== key.fingerprint);
  }

  /** The record script's KEYS: the key, then the other members of a quota group it cools. */
  recordKeys(key: StoreKey, attempt: AttemptRecord): string[] {
    const group = this.groupOf(key, attempt);
    return [key, ...group].map((member) => this.options.names.key(member.fingerprint));
  }

  /** The record script's ARGV for an attempt (`status` writes only its cooldown or disable). */
  recordArgs(key: StoreKey, attempt: AttemptRecord, mode: 'full' | 'status'): (string | number)[] {
    const requests = attempt.learned?.requests;
    const tokens = attempt.learned?.tokens;
    return [
      ...this.context(attempt.now),
      ...limitArgs(key),
      mode,
      attempt.outcome,
      attempt.reservedTokens,
      attempt.actualTokens ?? '',
      attempt.latencyMs,
      attempt.category ?? '',
      attempt.cooldownUntil ?? '',
      attempt.disable ? 1 : 0,
      attempt.reason ?? '',
      attempt.probe ? 1 : 0,
      requests ? JSON.stringify(requests) : '',
      requests?.limit ?? '',
      requests?.remaining ?? '',
      requests?.resetAt ?? '',
      tokens ? JSON.stringify(tokens) : '',
      tokens?.limit ?? '',
      tokens?.remaining ?? '',
      tokens?.resetAt ?? '',
      attempt.learned ? 1 : 0,
      this.options.countUntilRecorded ? 1 : 0,
      ...this.groupOf(key, attempt).map((member) => member.fingerprint),
    ];
  }
}
