import { describe, expect, it } from 'vitest';
import { redisKeyNames } from './redis-key-names';

describe('redisKeyNames', () => {
  it('puts every key of a pool in one cluster slot with the hash tag', () => {
    const names = redisKeyNames('keypool', true);
    expect(names.key('ab12')).toBe('{keypool}:key:ab12');
    expect(names.channel).toBe('keypool:events');
  });

  it('uses the prefix as it is without a hash tag, or when it already has one', () => {
    expect(redisKeyNames('keypool', false).key('f')).toBe('keypool:key:f');
    expect(redisKeyNames('app:{openai}', true).key('f')).toBe('app:{openai}:key:f');
  });
});
