import { describe, expect, it } from 'vitest';
import { formatTable, padVisible, visibleLength } from './format-table';

describe('formatTable', () => {
  it('sizes columns to their widest cell and trims trailing spaces', () => {
    expect(
      formatTable(
        ['A', 'LONG'],
        [
          ['xyz', ''],
          ['1', '22'],
        ],
      ),
    ).toBe('A    LONG\nxyz\n1    22');
  });

  it('ignores ANSI colour codes when measuring', () => {
    const red = '\u001b[31mred\u001b[39m';
    expect(visibleLength(red)).toBe(3);
    expect(padVisible(red, 5)).toBe(`${red}  `);
  });
});
