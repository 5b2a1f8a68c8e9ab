import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error';
import { parseChain } from './parse-chain';

describe('parseChain', () => {
  it('reads provider:model steps in order, defaulting the model', () => {
    expect(parseChain('anthropic:claude-haiku-4-5, openai:ft:gpt-4o-mini:org::id,gemini')).toEqual([
      { provider: 'anthropic', model: 'claude-haiku-4-5' },
      { provider: 'openai', model: 'ft:gpt-4o-mini:org::id' },
      { provider: 'gemini', model: 'gemini-2.5-flash' },
    ]);
  });

  it('rejects unknown providers and empty chains as usage errors (exit 2)', () => {
    for (const bad of ['', 'openia:gpt-4o', 'openai:']) {
      expect(() => parseChain(bad)).toThrow(CliError);
      try {
        parseChain(bad);
      } catch (error) {
        expect((error as CliError).exitCode).toBe(2);
      }
    }
  });
});
