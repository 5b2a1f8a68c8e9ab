import { describe, expect, it } from 'vitest';
import { EnvKeysError } from './env-keys-error';
import { keysFromEnv } from './keys-from-env';
import { strategyFromEnv } from './strategy-from-env';

const ids = (keys: { id: string }[]) => keys.map((key) => key.id);
const secrets = (keys: { secret: string }[]) => keys.map((key) => key.secret);

function envError(run: () => unknown): EnvKeysError {
  try {
    run();
  } catch (error) {
    if (EnvKeysError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an EnvKeysError');
}

describe('keysFromEnv conventions beyond <PROVIDER>_API_KEY', () => {
  it('reads CLAUDE_API_KEY for anthropic after the ANTHROPIC_ variables, and GOOGLE_API_KEY for gemini', () => {
    const keys = keysFromEnv({ CLAUDE_API_KEY: 'c0', ANTHROPIC_API_KEY: 'a0', GOOGLE_API_KEY: 'g0' });
    expect(ids(keys.anthropic)).toEqual(['env:ANTHROPIC_API_KEY', 'env:CLAUDE_API_KEY']);
    expect(secrets(keys.gemini)).toEqual(['g0']);
  });

  it('reads named <PROVIDER>_KEY_<id> variables after the numbered and list ones, by name', () => {
    const keys = keysFromEnv({
      OPENAI_KEY_STAGING: 'ks',
      OPENAI_KEY_PROD: 'kp',
      OPENAI_API_KEYS: 'l1,l2',
      OPENAI_API_KEY_2: 'k2',
      OPENAI_API_KEY: 'k0',
    });
    expect(ids(keys.openai)).toEqual([
      'env:OPENAI_API_KEY',
      'env:OPENAI_API_KEY_2',
      'env:OPENAI_API_KEYS#1',
      'env:OPENAI_API_KEYS#2',
      'env:OPENAI_KEY_PROD',
      'env:OPENAI_KEY_STAGING',
    ]);
    expect(secrets(keys.openai)).toEqual(['k0', 'k2', 'l1', 'l2', 'kp', 'ks']);
  });

  it('puts <PROVIDER>_BACKUP_KEYS after every other key of the provider, including alias stems', () => {
    const keys = keysFromEnv({
      ANTHROPIC_BACKUP_KEYS: 'b1, b2',
      CLAUDE_API_KEY: 'c0',
      ANTHROPIC_API_KEY: 'a0',
      MISTRAL_BACKUP_KEYS: 'm1',
    });
    expect(ids(keys.anthropic)).toEqual([
      'env:ANTHROPIC_API_KEY',
      'env:CLAUDE_API_KEY',
      'env:ANTHROPIC_BACKUP_KEYS#1',
      'env:ANTHROPIC_BACKUP_KEYS#2',
    ]);
    expect(secrets(keys.mistral)).toEqual(['m1']);
  });

  it('keeps one key when a backup repeats a primary secret', () => {
    const keys = keysFromEnv({ OPENAI_API_KEY: 'same', OPENAI_BACKUP_KEYS: 'same,other' });
    expect(ids(keys.openai)).toEqual(['env:OPENAI_API_KEY', 'env:OPENAI_BACKUP_KEYS#2']);
  });

  it('rejects secrets with whitespace or control characters inside, naming the variable and never the value', () => {
    const error = envError(() =>
      keysFromEnv({
        OPENAI_API_KEY: 'sk-first-secret-value sk-second-secret-value',
        ANTHROPIC_API_KEYS: 'good-one,bad\u0007secret-value',
        GEMINI_KEY_MAIN: 'line-one-secret\nline-two-secret',
      }),
    );
    expect(error.code).toBe('env_invalid_value');
    const tail = '; a secret is sent in an HTTP header, which cannot carry it';
    expect(error.issues).toEqual([
      {
        variable: 'OPENAI_API_KEY',
        message: `key "env:OPENAI_API_KEY": the secret holds whitespace inside it${tail}`,
      },
      {
        variable: 'ANTHROPIC_API_KEYS',
        message: `key "env:ANTHROPIC_API_KEYS#2": the secret holds a line break or another control character${tail}`,
      },
      {
        variable: 'GEMINI_KEY_MAIN',
        message: `key "env:GEMINI_KEY_MAIN": the secret holds a line break or another control character${tail}`,
      },
    ]);
    const shown = `${error.message} ${JSON.stringify(error)}`;
    for (const secret of ['sk-first', 'sk-second', 'secret-value', 'line-one', 'line-two']) {
      expect(shown).not.toContain(secret);
    }
  });

  it('still reports an empty variable with code env_empty_value', () => {
    expect(envError(() => keysFromEnv({ OPENAI_BACKUP_KEYS: ' ' })).code).toBe('env_empty_value');
  });
});

describe('strategyFromEnv', () => {
  it('reads KEYPOOL_STRATEGY, trimmed and case-insensitive', () => {
    expect(strategyFromEnv({ KEYPOOL_STRATEGY: ' Least-Used ' })).toBe('least-used');
    expect(strategyFromEnv({})).toBeUndefined();
    expect(strategyFromEnv({ KEYPOOL_STRATEGY: '' })).toBeUndefined();
  });

  it('rejects an unknown strategy with a message listing the valid ones', () => {
    const error = envError(() => strategyFromEnv({ KEYPOOL_STRATEGY: 'fastest' }));
    expect(error.code).toBe('env_invalid_value');
    expect(error.message).toBe(
      'KEYPOOL_STRATEGY: must be one of round-robin, least-used, weighted, random, latency, health, priority',
    );
  });
});
