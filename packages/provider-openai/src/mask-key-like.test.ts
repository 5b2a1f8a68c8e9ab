import { describe, expect, it } from 'vitest';
import { maskKeyLikeSecrets } from './mask-key-like';

describe('maskKeyLikeSecrets', () => {
  it.each([
    ['key sk-proj-abcdefghijklmnop1234 rejected', 'key sk-p...1234 rejected'],
    ['google AIzaSyA1234567890abcdefghijklmnopqrs', 'google AIza...pqrs'],
    ['GET https://x.test/v1?alt=sse&key=secret123&b=2', 'GET https://x.test/v1?alt=sse&key=***&b=2'],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: Bearer ***'],
    [
      'Incorrect API key provided: sk-*****************2222.',
      'Incorrect API key provided: sk-*****************2222.',
    ],
    ['nothing to hide', 'nothing to hide'],
  ])('%s', (input, expected) => {
    expect(maskKeyLikeSecrets(input)).toBe(expected);
  });
});
