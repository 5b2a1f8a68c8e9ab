import { describe, expect, it } from 'vitest';
import { redisKeyNames } from './redis-key-names';

describe('redisKeyNames', () => {
  it('puts every key of a pool in one cluster slot with the hash tag', () => {
    const names = redisKeyNames('keypool', true);
    expect(names.state('ab12')).toBe('{keypool}:state:ab12');
    expect(names.window('ab12', 'tokens')).toBe('{keypool}:window:ab12:tokens');
    expect(names.channel).toBe('keypool:events');
  });

  it('uses the prefix as it is without a hash tag, or when it already has one', () => {
    expect(redisKeyNames('keypool', false).state('f')).toBe('keypool:state:f');
    expect(redisKeyNames('app:{openai}', true).window('f', 'day')).toBe('app:{openai}:window:f:day');
  });
});
