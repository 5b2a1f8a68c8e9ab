import { describe, expect, it } from 'vitest';
import { formatDuration } from './format-duration';

describe('formatDuration', () => {
  it('is short at every scale', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(2_440)).toBe('2.4s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(7_800_000)).toBe('2h10m');
    expect(formatDuration(-1)).toBe('-');
  });
});
