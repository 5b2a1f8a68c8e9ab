import { ConfigError } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { redisKeyNames } from './redis-key-names';

describe('redisKeyNames', () => {
  it('derives the pool hash tag from the prefix: one slot per pool', () => {
    const names = redisKeyNames('keypool', true);
    expect(names.key('ab12')).toBe('{keypool}:key:ab12');
    expect(names.tag).toBe('keypool');
    expect(names.channel).toBe('keypool:events');
    expect(redisKeyNames('openai', true).key('f')).toBe('{openai}:key:f');
  });

  it('uses the prefix as it is without a hash tag, or when it already has one', () => {
    expect(redisKeyNames('keypool', false).key('f')).toBe('keypool:key:f');
    expect(redisKeyNames('keypool', false).tag).toBeUndefined();
    expect(redisKeyNames('app:{openai}', true).key('f')).toBe('app:{openai}:key:f');
    expect(redisKeyNames('app:{openai}', true).tag).toBe('openai');
  });

  it('takes an explicit tag per pool under a shared prefix', () => {
    const names = redisKeyNames('keypool', 'openai-prod');
    expect(names.key('f')).toBe('keypool:{openai-prod}:key:f');
    expect(names.tag).toBe('openai-prod');
    // Each tagged pool has its own channel: processes of another pool never see its changes.
    expect(names.channel).toBe('keypool:{openai-prod}:events');
  });

  it('rejects an empty tag, braces in a tag, and two tags at once, naming the option', () => {
    expect(() => redisKeyNames('keypool', '')).toThrow(ConfigError);
    expect(() => redisKeyNames('keypool', 'a{b}')).toThrow(
      /hashTag: must be a non-empty string without braces/,
    );
    expect(() => redisKeyNames('app:{x}', 'y')).toThrow(
      /hashTag: the prefix already holds the hash tag \{x\}/,
    );
  });
});
