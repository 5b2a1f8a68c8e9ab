import { describe, expect, it } from 'vitest';
import { POOL_OPTION_NAMES, parseKeys } from './config';
import { didYouMean } from './did-you-mean';
import { ConfigError } from './errors';
import { createKeyPool, type KeyPoolOptions } from './key-pool';
import { FakeAdapter, type FakeClient } from './testing/fake-adapter';

const keys = [{ id: 'a', secret: 'sk-test-aaaaaaaaaaaaaaaa' }];

/** Builds a pool from options that may be wrong, and returns the ConfigError it throws. */
function configErrorOf(options: Record<string, unknown>): ConfigError {
  try {
    createKeyPool({ adapter: new FakeAdapter(), keys, ...options } as KeyPoolOptions<FakeClient>);
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return error as ConfigError;
  }
  throw new Error('no ConfigError was thrown');
}

describe('secrets must fit in an HTTP header', () => {
  it.each([
    ['sk-abc\r\ndef-1234567890', 'line break or another control character'],
    ['sk-abc\u0000def-1234567890', 'control character'],
    ['sk-abc def-1234567890', 'whitespace inside it'],
    ['sk-abc\tdef-1234567890', 'control character'],
    ['sk-abcé-def-1234567890', 'outside printable ASCII'],
  ])('rejects %j, naming the key id and never the secret', (secret, problem) => {
    let error: unknown;
    try {
      parseKeys([{ id: 'prod-1', secret }]);
    } catch (caught) {
      error = caught;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    const message = (error as ConfigError).message;
    expect(message).toContain('keys[0].secret');
    expect(message).toContain('"prod-1"');
    expect(message).toContain(problem);
    expect(message).not.toContain('def-1234567890');
  });

  it('rejects the same secret under two ids, without showing it', () => {
    expect(() =>
      parseKeys([
        { id: 'a', secret: 'sk-same-0123456789abcdef' },
        { id: 'b', secret: 'sk-same-0123456789abcdef' },
      ]),
    ).toThrow(/keys\[1\]\.secret: key "b" has the same secret as keys\[0\] \("a"\)/);
  });

  it('masks a key pasted where an id belongs', () => {
    const pasted = 'sk-proj-abcdefghijklmnopqrstuvwx';
    let message = '';
    try {
      parseKeys([
        { id: pasted, secret: 'sk-1-aaaaaaaaaaaa' },
        { id: pasted, secret: 'sk-2-aaaaaaaaaaaa' },
      ]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('duplicate key id "sk-p...uvwx"');
    expect(message).not.toContain('abcdefghijklmnop');
  });
});

describe('strict pool options', () => {
  it('names an unknown option and suggests the near miss', () => {
    const error = configErrorOf({ maxAttemps: 3 });
    expect(error.issues).toEqual([
      { path: 'maxAttemps', message: 'unknown pool option "maxAttemps" (did you mean maxAttempts?)' },
    ]);
  });

  it('lists the known options when nothing is near', () => {
    expect(configErrorOf({ banana: true }).message).toContain('known: adapter, keys');
  });

  it('rejects unknown policy values, fields and categories with their path', () => {
    expect(configErrorOf({ policy: { auth: { key: 'explode' } } }).issues).toEqual([
      {
        path: 'policy.auth.key',
        message: 'key must be one of cooldown, quota, disable, none, not "explode"',
      },
    ]);
    expect(configErrorOf({ policy: { server: { request: 'retyr' } } }).message).toContain(
      'policy.server.request: request must be one of next_key, retry, fail, not "retyr" (did you mean retry?)',
    );
    expect(configErrorOf({ policy: { rate_limits: { key: 'none' } } }).issues).toEqual([
      {
        path: 'policy.rate_limits',
        message: 'unknown error category "rate_limits" (did you mean rate_limit?)',
      },
    ]);
    expect(configErrorOf({ policy: { auth: { retires: 2 } } }).message).toContain(
      'policy.auth.retires: unknown policy row field "retires" (did you mean retries?)',
    );
    expect(configErrorOf({ policy: { server: { retries: -1 } } }).message).toContain('policy.server.retries');
  });

  it('accepts every known option and a valid policy', () => {
    expect(POOL_OPTION_NAMES).toContain('maxAttempts');
    const pool = createKeyPool({
      adapter: new FakeAdapter(),
      keys,
      maxAttempts: 2,
      retryBaseMs: 0,
      policy: { server: { key: 'cooldown', request: 'next_key', retries: 0 } },
    });
    expect(pool.keyIds()).toEqual(['a']);
  });

  it('suggests only close names', () => {
    expect(didYouMean('maxattempts', POOL_OPTION_NAMES)).toBe('maxAttempts');
    expect(didYouMean('timeout', POOL_OPTION_NAMES)).toBeUndefined();
    expect(didYouMean('retyr', ['next_key', 'retry', 'fail'])).toBe('retry');
    expect(didYouMean('deadlineM', POOL_OPTION_NAMES)).toBe('deadlineMs');
  });
});
