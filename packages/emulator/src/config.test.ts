import { describe, expect, it } from 'vitest';
import { EmulatorConfigError, formatConfigPath, parseEmulatorConfig } from './config.ts';
import { startEmulator } from './server.ts';

function problemsOf(input: unknown): string[] {
  try {
    parseEmulatorConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(EmulatorConfigError);
    expect(EmulatorConfigError.isInstance(error)).toBe(true);
    return (error as EmulatorConfigError).message.split('\n').sort();
  }
  throw new Error('expected the config to be rejected');
}

describe('parseEmulatorConfig', () => {
  it('fills in the defaults', () => {
    expect(parseEmulatorConfig({})).toEqual({
      port: 0,
      host: '127.0.0.1',
      windowMs: 60_000,
      dayMs: 60_000 * 1440,
      seed: 1,
      logRawKeys: false,
      acceptAnyKey: false,
      keys: {},
      models: {},
      maxLogEntries: 100_000,
      defaultMaxTokens: 1024,
    });
    expect(parseEmulatorConfig({ windowMs: 1000 }).dayMs).toBe(1_440_000);
  });

  it('names the field of a bad key behaviour', () => {
    expect(problemsOf({ keys: { 'sk-x': { rpm: -1 } } })).toEqual(['keys["sk-x"].rpm: must be >= 0']);
  });

  it('names nested model fields, wrong types and unknown fields', () => {
    expect(
      problemsOf({
        windowMs: 0,
        models: { 'gpt-4o': { outage: { downMs: 'soon' }, overload: true } },
        keys: { k: { faultRate: 2 } },
      }),
    ).toEqual([
      'keys["k"].faultRate: must be <= 1',
      'models["gpt-4o"].outage.downMs: must be a number',
      'models["gpt-4o"].overload: unknown field',
      'windowMs: must be > 0',
    ]);
  });

  it('names bad values of the rate-window and fault options', () => {
    expect(
      problemsOf({
        keys: { k: { windowScope: 'org', window: 'sliding', rateLimitHeaders: 'no', retryAfterMs: -5 } },
        models: { m: { outage: { downMs: 1, kind: 'teapot', upMs: 0 }, invalidStructuredOutput: 'bad' } },
      }),
    ).toEqual([
      'keys["k"].rateLimitHeaders: must be a boolean',
      'keys["k"].retryAfterMs: must be >= 0',
      'keys["k"].window: must be "first_request" or "fixed"',
      'keys["k"].windowScope: must be "key" or "model"',
      'models["m"].invalidStructuredOutput: must be "malformed_json" or "schema_mismatch"',
      'models["m"].outage.kind: must be "overloaded" or "server_error"',
      'models["m"].outage.upMs: must be > 0',
    ]);
  });

  it('rejects non-integer counts and unknown top-level fields', () => {
    expect(problemsOf({ keys: { k: { revokeAfter: 1.5 } }, prot: 1 })).toEqual([
      'keys["k"].revokeAfter: must be an integer',
      'prot: unknown field',
    ]);
  });

  it('formats paths the way a reader writes them', () => {
    expect(formatConfigPath([])).toBe('(config)');
    expect(formatConfigPath(['models', 'a.b', 'outage', 'downMs'])).toBe('models["a.b"].outage.downMs');
  });

  it('startEmulator and setKeyBehaviour reject bad behaviours', async () => {
    await expect(startEmulator({ keys: { 'sk-y': { tpm: -5 } } })).rejects.toThrow(
      'keys["sk-y"].tpm: must be >= 0',
    );
    const emu = await startEmulator();
    try {
      expect(() => emu.setKeyBehaviour('sk-secret-1234567890abcdef', { rpm: -1 })).toThrow(
        'keys["sk-s...cdef"].rpm: must be >= 0',
      );
      expect(() => emu.setModelBehaviour('m', { stallMs: -1 })).toThrow('models["m"].stallMs: must be >= 0');
    } finally {
      await emu.close();
    }
  });
});
