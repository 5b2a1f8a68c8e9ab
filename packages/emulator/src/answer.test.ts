import { describe, expect, it } from 'vitest';
import { buildAnswer } from './answer.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { createSeededRandom } from './seeded-random.ts';

describe('estimateTokens', () => {
  it('is ceil(chars / 4)', () => {
    expect([
      estimateTokens(''),
      estimateTokens('abc'),
      estimateTokens('abcd'),
      estimateTokens('abcde'),
    ]).toEqual([0, 1, 1, 2]);
  });
});

describe('buildAnswer', () => {
  it('echoes the last user message, with chunks that join to the text', () => {
    const answer = buildAnswer('system hello there world', 'hello there world', 100);
    expect(answer.text).toBe('Echo: hello there world');
    expect(answer.chunks).toEqual(['Echo:', ' hello', ' there', ' world']);
    expect(answer.promptTokens).toBe(estimateTokens('system hello there world'));
    expect(answer.completionTokens).toBe(estimateTokens(answer.text));
    expect(answer.truncated).toBe(false);
  });

  it('truncates to the budget', () => {
    const answer = buildAnswer('x', 'hello there world', 2);
    expect(answer).toMatchObject({ text: 'Echo: he', completionTokens: 2, truncated: true });
  });

  it('splits short answers into several chunks and caps long ones', () => {
    expect(buildAnswer('', '', 100).chunks.length).toBeGreaterThanOrEqual(2);
    const long = buildAnswer('', 'word '.repeat(500), 10_000);
    expect(long.chunks.length).toBeLessThanOrEqual(24);
    expect(long.chunks.join('')).toBe(long.text);
  });
});

describe('createSeededRandom', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const first = createSeededRandom(7);
    const second = createSeededRandom(7);
    const a = Array.from({ length: 5 }, () => first());
    expect(Array.from({ length: 5 }, () => second())).toEqual(a);
    expect(createSeededRandom(8)()).not.toBe(a[0]);
    expect(a.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});
