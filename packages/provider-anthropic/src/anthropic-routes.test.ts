import { describe, expect, it } from 'vitest';
import { withAttemptTimeout } from './anthropic-routes.ts';

describe('withAttemptTimeout', () => {
  it('gives the SDK its own timeout and turns its retries off, keeping the caller options', () => {
    expect(withAttemptTimeout([{ model: 'm' }, { headers: { a: 'b' }, maxRetries: 5 }], 1_234)).toEqual([
      { model: 'm' },
      { headers: { a: 'b' }, timeout: 1_234, maxRetries: 0 },
    ]);
  });
});
