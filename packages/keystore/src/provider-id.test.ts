import { describe, expect, it } from 'vitest';
import {
  isOpenAIPresetId,
  isProviderId,
  PROVIDER_IDS,
  providerFamily,
  providerLabel,
  suggestProviderId,
  unknownProviderMessage,
} from './provider-id';

describe('provider ids', () => {
  it('lists the four SDK families, then the OpenAI-compatible presets, then Azure', () => {
    expect(PROVIDER_IDS.slice(0, 4)).toEqual(['openai', 'anthropic', 'gemini', 'mistral']);
    expect(PROVIDER_IDS.at(-1)).toBe('azure');
    expect(isProviderId('groq')).toBe(true);
    expect(isProviderId('azure-openai')).toBe(false);
    expect(isOpenAIPresetId('groq')).toBe(true);
    expect(isOpenAIPresetId('openai')).toBe(false);
    expect(isOpenAIPresetId('azure')).toBe(false);
  });

  it('labels pools by their id, and Azure as azure-openai', () => {
    expect(providerLabel('groq')).toBe('groq');
    expect(providerLabel('openai')).toBe('openai');
    expect(providerLabel('azure')).toBe('azure-openai');
  });

  it('maps presets and Azure to the openai family and the families to themselves', () => {
    expect(providerFamily('groq')).toBe('openai');
    expect(providerFamily('azure')).toBe('openai');
    expect(providerFamily('anthropic')).toBe('anthropic');
    expect(providerFamily('mistral')).toBe('mistral');
  });

  it.each([
    ['groqq', 'groq'],
    ['GROQ', 'groq'],
    ['deepsek', 'deepseek'],
    ['azure-openai', 'azure'],
    ['claude', 'anthropic'],
    ['grok', 'xai'],
    ['openia', 'openai'],
    ['cohere', undefined],
  ])('suggests a known provider for "%s"', (name, expected) => {
    expect(suggestProviderId(name)).toBe(expected);
  });

  it('suggests only among the providers given, and names them', () => {
    expect(suggestProviderId('groq', ['openai', 'anthropic'])).toBeUndefined();
    expect(unknownProviderMessage('opena', ['openai', 'anthropic'])).toBe(
      'unknown provider "opena" (did you mean "openai"?); known: openai, anthropic',
    );
  });

  it('masks a long name (a secret pasted where a provider goes)', () => {
    const message = unknownProviderMessage('sk-proj-abcdefghijklmnopqrstuvwxyz0123');
    expect(message).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });
});
