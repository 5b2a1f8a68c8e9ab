import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EnvKeysError } from './env-keys-error';
import { emptyProviderKeys } from './key-config';
import { keysFromEnv } from './keys-from-env';

const ids = (keys: { id: string }[]) => keys.map((key) => key.id);
const secrets = (keys: { secret: string }[]) => keys.map((key) => key.secret);

describe('keysFromEnv', () => {
  it('reads the single variable of every provider', () => {
    const keys = keysFromEnv({
      OPENAI_API_KEY: 'sk-openai-1',
      ANTHROPIC_API_KEY: 'sk-ant-1',
      GEMINI_API_KEY: 'AIza-gemini-1',
      MISTRAL_API_KEY: 'mistral-1',
      UNRELATED: 'x',
    });
    expect(ids(keys.openai)).toEqual(['env:OPENAI_API_KEY']);
    expect(secrets(keys.openai)).toEqual(['sk-openai-1']);
    expect(ids(keys.anthropic)).toEqual(['env:ANTHROPIC_API_KEY']);
    expect(ids(keys.gemini)).toEqual(['env:GEMINI_API_KEY']);
    expect(ids(keys.mistral)).toEqual(['env:MISTRAL_API_KEY']);
  });

  it('returns an empty list for a provider without variables', () => {
    expect(keysFromEnv({})).toEqual(emptyProviderKeys());
    expect(Object.values(keysFromEnv({})).every((keys) => keys.length === 0)).toBe(true);
  });

  it('reads numbered variables with and without an underscore, in numeric order after the plain one', () => {
    const keys = keysFromEnv({
      OPENAI_API_KEY_10: 'k10',
      OPENAI_API_KEY_3: 'k3',
      OPENAI_API_KEY2: 'k2',
      OPENAI_API_KEY: 'k0',
      OPENAI_API_KEY_PROD: 'not a convention',
    });
    expect(ids(keys.openai)).toEqual([
      'env:OPENAI_API_KEY',
      'env:OPENAI_API_KEY2',
      'env:OPENAI_API_KEY_3',
      'env:OPENAI_API_KEY_10',
    ]);
    expect(secrets(keys.openai)).toEqual(['k0', 'k2', 'k3', 'k10']);
  });

  it('splits the plural list variable on commas (and newlines), trimming, with 1-based ids', () => {
    const keys = keysFromEnv({ ANTHROPIC_API_KEYS: ' a1 , a2,a3\na4 ' });
    expect(ids(keys.anthropic)).toEqual([
      'env:ANTHROPIC_API_KEYS#1',
      'env:ANTHROPIC_API_KEYS#2',
      'env:ANTHROPIC_API_KEYS#3',
      'env:ANTHROPIC_API_KEYS#4',
    ]);
    expect(secrets(keys.anthropic)).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('reads GOOGLE_API_KEY conventions for gemini after the GEMINI_ ones', () => {
    const keys = keysFromEnv({
      GOOGLE_API_KEY: 'g0',
      GOOGLE_API_KEYS: 'g1,g2',
      GOOGLE_API_KEY_2: 'g3',
      GEMINI_API_KEY: 'm0',
    });
    expect(ids(keys.gemini)).toEqual([
      'env:GEMINI_API_KEY',
      'env:GOOGLE_API_KEY',
      'env:GOOGLE_API_KEY_2',
      'env:GOOGLE_API_KEYS#1',
      'env:GOOGLE_API_KEYS#2',
    ]);
  });

  it('reads every convention for mistral too', () => {
    const keys = keysFromEnv({ MISTRAL_API_KEY: 'm0', MISTRAL_API_KEY2: 'm2', MISTRAL_API_KEYS: 'm5,m6' });
    expect(ids(keys.mistral)).toEqual([
      'env:MISTRAL_API_KEY',
      'env:MISTRAL_API_KEY2',
      'env:MISTRAL_API_KEYS#1',
      'env:MISTRAL_API_KEYS#2',
    ]);
  });

  it('keeps one key per secret: the first variable wins', () => {
    const keys = keysFromEnv({
      OPENAI_API_KEY: 'same',
      OPENAI_API_KEY_2: 'same',
      OPENAI_API_KEYS: 'other, same ,other',
    });
    expect(ids(keys.openai)).toEqual(['env:OPENAI_API_KEY', 'env:OPENAI_API_KEYS#1']);
    expect(secrets(keys.openai)).toEqual(['same', 'other']);
  });

  it('dedupes per provider only', () => {
    const keys = keysFromEnv({
      GEMINI_API_KEY: 'shared',
      GOOGLE_API_KEY: 'shared',
      MISTRAL_API_KEY: 'shared',
    });
    expect(ids(keys.gemini)).toEqual(['env:GEMINI_API_KEY']);
    expect(ids(keys.mistral)).toEqual(['env:MISTRAL_API_KEY']);
  });

  it('rejects an empty or blank variable, naming it and not the other values', () => {
    const error = (() => {
      try {
        keysFromEnv({ OPENAI_API_KEY: 'sk-good-value', OPENAI_API_KEY_2: '', ANTHROPIC_API_KEY: '   ' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(EnvKeysError.isInstance(error)).toBe(true);
    const envError = error as EnvKeysError;
    expect(envError.code).toBe('env_empty_value');
    expect(envError.issues).toEqual([
      { variable: 'OPENAI_API_KEY_2', message: 'is set but empty' },
      { variable: 'ANTHROPIC_API_KEY', message: 'is set but empty' },
    ]);
    expect(envError.message).toContain('OPENAI_API_KEY_2: is set but empty');
    expect(envError.message).toContain('ANTHROPIC_API_KEY: is set but empty');
    expect(envError.message).not.toContain('sk-good-value');
  });

  it('rejects an empty item in a list, naming the variable and the item', () => {
    expect(() => keysFromEnv({ MISTRAL_API_KEYS: 'm1,,m3' })).toThrowError(
      'MISTRAL_API_KEYS: item 2 of 3 is empty (a stray comma?)',
    );
    expect(() => keysFromEnv({ MISTRAL_API_KEYS: 'm1,m2,' })).toThrowError('item 3 of 3 is empty');
    expect(() => keysFromEnv({ MISTRAL_API_KEYS: '' })).toThrowError('MISTRAL_API_KEYS: is set but empty');
  });

  it('trims values and masks secrets in JSON, String and inspect output', () => {
    const [key] = keysFromEnv({ OPENAI_API_KEY: '  sk-proj-abcdefghijklmnopN5g4  ' }).openai;
    expect(key!.secret).toBe('sk-proj-abcdefghijklmnopN5g4');
    expect(JSON.stringify(key)).not.toContain('abcdefghijklmnop');
    expect(JSON.parse(JSON.stringify(key))).toMatchObject({
      id: 'env:OPENAI_API_KEY',
      masked: 'sk-p...N5g4',
    });
    expect(String(key)).toBe('[key env:OPENAI_API_KEY sk-p...N5g4]');
    expect(inspect(key)).not.toContain('abcdefghijklmnop');
    expect(Object.keys(key!)).toEqual(['id', 'secret']);
    expect({ ...key }).toEqual({ id: 'env:OPENAI_API_KEY', secret: 'sk-proj-abcdefghijklmnopN5g4' });
  });

  it('reads process.env by default', () => {
    const before = process.env.MISTRAL_API_KEY_77;
    process.env.MISTRAL_API_KEY_77 = 'from-process-env';
    try {
      expect(ids(keysFromEnv().mistral)).toContain('env:MISTRAL_API_KEY_77');
    } finally {
      if (before === undefined) delete process.env.MISTRAL_API_KEY_77;
      else process.env.MISTRAL_API_KEY_77 = before;
    }
  });
});
