import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact-secrets.ts';

describe('redactSecrets', () => {
  it('masks the given secrets and anything key-shaped', () => {
    expect(redactSecrets('key my-own-secret-value-123 here', ['my-own-secret-value-123'])).toBe(
      'key my-o...-123 here',
    );
    expect(redactSecrets('bad sk-ant-api03-abcdefghijklmnopqrstuvwxyz key')).toBe('bad sk-a...wxyz key');
    expect(redactSecrets('gemini AIzaSyA1234567890abcdefghijklmn')).toBe('gemini AIza...klmn');
    expect(redactSecrets('GET https://x.test/v1?alt=sse&key=secret123&b=2')).toBe(
      'GET https://x.test/v1?alt=sse&key=***&b=2',
    );
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('429 rate_limit_error: slow down (sk-short)')).toBe(
      '429 rate_limit_error: slow down (sk-short)',
    );
  });
});
