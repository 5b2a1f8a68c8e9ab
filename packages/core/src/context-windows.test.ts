import { describe, expect, it } from 'vitest';
import { CONTEXT_WINDOWS, contextWindowOf } from './context-windows';

describe('contextWindowOf', () => {
  it('knows current models of the four providers', () => {
    expect(contextWindowOf('gpt-4o-mini')).toBe(128_000);
    expect(contextWindowOf('gpt-4.1')).toBe(1_047_576);
    expect(contextWindowOf('claude-sonnet-4-6')).toBe(200_000);
    expect(contextWindowOf('gemini-2.5-flash')).toBe(1_048_576);
    expect(contextWindowOf('mistral-small-latest')).toBe(131_072);
  });

  it('finds dated and suffixed ids by their longest prefix, at a separator only', () => {
    expect(contextWindowOf('gpt-4o-2024-08-06')).toBe(128_000);
    expect(contextWindowOf('gpt-4-0613')).toBe(8_192);
    expect(contextWindowOf('gpt-4.5-preview')).toBeUndefined();
    expect(contextWindowOf('claude-3-5-haiku-20241022')).toBe(200_000);
    expect(contextWindowOf('models/gemini-2.5-pro')).toBe(1_048_576);
    expect(contextWindowOf('mistral-large-2411')).toBe(131_072);
    expect(contextWindowOf('my-own-model')).toBeUndefined();
  });

  it('lets overrides win, by id or prefix', () => {
    expect(contextWindowOf('gpt-4o', { 'gpt-4o': 64_000 })).toBe(64_000);
    expect(contextWindowOf('my-own-model-v2', { 'my-own-model': 32_000 })).toBe(32_000);
    expect(contextWindowOf('gpt-4o-mini', { 'my-own-model': 32_000 })).toBe(128_000);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(CONTEXT_WINDOWS)).toBe(true);
  });
});
