import { describe, expect, it } from 'vitest';
import { Redactor } from './redactor';

describe('Redactor', () => {
  it('replaces every registered secret by its masked form', () => {
    const redactor = new Redactor();
    redactor.add('sk-live-0123456789abcdef', undefined, 'ab');
    expect(redactor.scrub('key sk-live-0123456789abcdef and again sk-live-0123456789abcdef, ab stays')).toBe(
      'key sk-l...cdef and again sk-l...cdef, ab stays',
    );
  });

  it('masks with the core rules and registers what it masks', () => {
    const redactor = new Redactor();
    expect(redactor.mask('sk-other-0123456789abcdef')).toBe('sk-o...cdef');
    expect(redactor.scrub('sk-other-0123456789abcdef')).toBe('sk-o...cdef');
  });

  it('masks anything key-like, registered or not (a key pasted where an id or a URL belongs)', () => {
    const redactor = new Redactor();
    expect(redactor.scrub('no key "sk-ant-api03-Hq2Wz7Rk4Ty9Uo1Ip6As3Df8Gj" in openai')).toBe(
      'no key "sk-a...f8Gj" in openai',
    );
    expect(redactor.scrub('bad URL http://h/v1?key=AIzaSyA1234567890abcdefghij')).toBe(
      'bad URL http://h/v1?key=***',
    );
    expect(redactor.scrub('model gpt-4o-mini, key main (sk-p...N5g4)')).toBe(
      'model gpt-4o-mini, key main (sk-p...N5g4)',
    );
  });
});
