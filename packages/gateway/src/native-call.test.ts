import { describe, expect, it } from 'vitest';
import { usageTokens } from './native-call';

describe('usageTokens', () => {
  it('reads OpenAI totals and Anthropic input plus output from the last usage object', () => {
    expect(usageTokens('{"id":"x","usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}')).toBe(
      7,
    );
    expect(
      usageTokens('{"content":[{"text":"\\"usage\\""}],"usage":{"input_tokens":5,"output_tokens":6}}'),
    ).toBe(11);
    expect(usageTokens('{"data":[]}')).toBeUndefined();
    expect(usageTokens('{"usage":null}')).toBeUndefined();
  });

  it("reads the same from the answer's bytes, multi-byte text before the usage included", () => {
    const answer = '{"choices":[{"message":{"content":"héllo 👋 wörld"}}],"usage":{"total_tokens":42}}';
    expect(usageTokens(Buffer.from(answer, 'utf8'))).toBe(42);
    expect(usageTokens(Buffer.from('{"data":[]}'))).toBeUndefined();
  });
});

describe('usageTokens on edge cases of the JSON', () => {
  it('allows whitespace around the colon and skips a count that is not a number', () => {
    expect(usageTokens('{"usage": {\n  "total_tokens" :\t 15\n}}')).toBe(15);
    expect(usageTokens('{"usage":{"total_tokens":null,"input_tokens":2,"output_tokens":3}}')).toBe(5);
    expect(usageTokens('{"usage":{"output_tokens":9}}')).toBe(9);
    expect(usageTokens('{"total_tokens":4,"usage":{}}')).toBeUndefined();
  });
});
