import { describe, expect, it } from 'vitest';
import { anthropicModelScope } from './anthropic-model-scope.ts';

describe('anthropicModelScope', () => {
  it.each([
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4'],
    ['claude-sonnet-4-6', 'claude-sonnet-4'],
    ['claude-opus-4-1', 'claude-opus-4'],
    ['claude-haiku-4-5', 'claude-haiku-4'],
    ['claude-3-5-sonnet-20241022', 'claude-sonnet-3'],
    ['claude-3-haiku-20240307', 'claude-haiku-3'],
    ['my-proxy-model', 'my-proxy-model'],
  ])('%s -> %s', (model, scope) => {
    expect(anthropicModelScope(model)).toBe(scope);
  });
});
