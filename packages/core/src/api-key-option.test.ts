import { describe, expect, it } from 'vitest';
import { API_KEY_ID, apiKeyAsKeys } from './api-key-option';
import { ConfigError } from './errors';
import { createKeyPool, KeyPool } from './key-pool';
import { createPoolEngine } from './pool-engine';
import { FakeAdapter } from './testing/fake-adapter';

const SECRET = 'sk-api-key-option-0000000000000001';

describe('apiKey: one key given as the SDKs take it', () => {
  it('becomes a pool of one key with id "apiKey" that serves calls (createKeyPool and new KeyPool)', async () => {
    for (const pool of [
      createKeyPool({ adapter: new FakeAdapter(), apiKey: SECRET }),
      new KeyPool({ adapter: new FakeAdapter(), apiKey: SECRET }),
    ]) {
      await pool.execute(async () => 'ok');
      const snapshot = await pool.snapshot();
      expect(snapshot.map((key) => key.id)).toEqual([API_KEY_ID]);
      expect(snapshot[0]?.counts.successes).toBe(1);
      expect(JSON.stringify(snapshot)).not.toContain(SECRET);
    }
  });

  it('leaves options with keys as they are, the same object', () => {
    const options = { keys: [{ id: 'a', secret: SECRET }] };
    expect(apiKeyAsKeys(options)).toBe(options);
  });

  it.each([
    [{ apiKey: undefined }, 'apiKey: apiKey is undefined: is its environment variable set?'],
    [{ apiKey: SECRET, keys: [{ id: 'a', secret: SECRET }] }, 'apiKey: give keys or apiKey, not both'],
    [{ apiKey: '   ' }, 'apiKey: apiKey must not be empty or whitespace'],
    [{ apiKey: 42 }, 'apiKey: apiKey must be a string'],
    [{ apiKey: `${SECRET}\u0007x` }, 'apiKey: apiKey holds a line break or another control character'],
  ])('refuses %j with a ConfigError naming apiKey, never the key', (given, message) => {
    let caught: unknown;
    try {
      createKeyPool({ adapter: new FakeAdapter(), ...(given as { apiKey: string }) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain(message);
    expect((caught as ConfigError).message).not.toContain(SECRET);
  });

  it('is not an option of the lean engine: an unknown option there, named', () => {
    expect(() => createPoolEngine({ adapter: new FakeAdapter(), apiKey: SECRET } as never)).toThrow(
      /apiKey: unknown pool option "apiKey"/,
    );
  });
});
