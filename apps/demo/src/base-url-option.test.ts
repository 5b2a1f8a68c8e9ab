import { describe, expect, it } from 'vitest';
import { parseBaseUrls } from './base-url-option';

describe('parseBaseUrls', () => {
  it('maps provider=url pairs', () => {
    expect(parseBaseUrls(['openai=http://127.0.0.1:1/openai/v1', 'Gemini=https://example.test/g'])).toEqual({
      openai: 'http://127.0.0.1:1/openai/v1',
      gemini: 'https://example.test/g',
    });
  });

  it('rejects a missing provider, a bad URL and other schemes', () => {
    expect(() => parseBaseUrls(['http://x'])).toThrow(/provider/);
    expect(() => parseBaseUrls(['openai=not a url'])).toThrow(/not a URL/);
    expect(() => parseBaseUrls(['openai=file:///etc/passwd'])).toThrow(/http/);
  });
});
