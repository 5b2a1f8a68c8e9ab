import { describe, expect, it } from 'vitest';
import { scrubKeyLike } from './scrub-key-like';

describe('scrubKeyLike', () => {
  it.each([
    [
      'a Mistral-shaped key',
      'bad key Zq7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc5Jd0Fg here',
      'Zq7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc5Jd0Fg',
    ],
    [
      'an OpenAI-style key',
      'Incorrect API key provided: sk-proj-abcdefghijklmnop',
      'sk-proj-abcdefghijklmnop',
    ],
    ['a Google key', 'key AIzaSyA1234567890abcdefghijklmnopq', 'AIzaSyA1234567890abcdefghijklmnopq'],
    ['a ?key= parameter', 'GET https://x.test/v1/models?key=secret-value-123&alt=sse', 'secret-value-123'],
    ['a bearer token', 'Authorization: Bearer abc.def-ghi_jkl', 'abc.def-ghi_jkl'],
  ])('masks %s', (_name, text, secret) => {
    const scrubbed = scrubKeyLike(text);
    expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('...');
  });

  it('masks the given secrets whatever their shape, and leaves ordinary text alone', () => {
    expect(scrubKeyLike('the key is shortsecret!', ['shortsecret!'])).toBe('the key is sh...t!');
    const ordinary =
      '429 Rate limit exceeded (request 000000000000000000000008, id 5f1c7a2b9e4d4c1a8b3e6d7f0a1b2c3d)';
    expect(scrubKeyLike(ordinary)).toBe(ordinary);
  });
});
