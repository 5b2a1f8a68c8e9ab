import { describe, expect, it } from 'vitest';
import { CANARY_SECRET, MISTRAL_ERROR_CASES } from './__fixtures__/mistral-error-cases';
import { sdkErrorFrom } from './__fixtures__/mistral-error-fixtures';
import { classifyMistralError } from './mistral-error';

describe('classifyMistralError', () => {
  it.each(MISTRAL_ERROR_CASES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const raw = typeof row.error === 'function' ? (row.error as () => unknown)() : row.error;
    const classified = classifyMistralError(raw);
    expect(classified).toMatchObject(row.expected);
    expect(classified.message.length).toBeGreaterThan(0);
    expect(classified.message).not.toContain(CANARY_SECRET);
  });

  it('builds the SDK errors the SDK builds (class, status, message, headers)', () => {
    const error = sdkErrorFrom('429-rate-limited');
    expect(error.name).toBe('SDKError');
    expect(error.statusCode).toBe(429);
    expect(error.message).toMatch(/^API error occurred: Status 429/);
    expect(error.headers.get('retry-after')).toBe('1');
    expect(sdkErrorFrom('422-validation').name).toBe('HTTPValidationError');
  });

  it('gives a short message with the provider text, not the SDK dump', () => {
    const classified = classifyMistralError(sdkErrorFrom('429-rate-limited'));
    expect(classified.message).toBe('429 Rate limit exceeded');
    const html = classifyMistralError(sdkErrorFrom('502-html'));
    expect(html.message).toContain('502 Bad Gateway');
    expect(html.message).not.toContain('\n');
  });

  it('masks key-like strings in any message', () => {
    for (const raw of [
      new Error(`failed for sk-abcdefghijklmnop1234 and ${CANARY_SECRET}`),
      new TypeError(`fetch failed: https://x.test/v1?key=AIzaSyA1234567890abcdefghijklmno`),
    ]) {
      const { message } = classifyMistralError(raw);
      expect(message).not.toContain('sk-abcdefghijklmnop1234');
      expect(message).not.toContain(CANARY_SECRET);
      expect(message).not.toContain('AIzaSyA1234567890abcdefghijklmno');
    }
  });

  it('never throws, whatever it is given', () => {
    for (const odd of [undefined, null, 0, 'text', Symbol('s'), { statusCode: 'x', body: 5 }, []]) {
      expect(() => classifyMistralError(odd)).not.toThrow();
      expect(classifyMistralError(odd).category).toBe('server');
    }
  });
});
