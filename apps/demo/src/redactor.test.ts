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
});
