import { ConfigError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import type { SecretSource } from '@keypool/keystore';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFromKeysFile, type KeysFileEvents, LastGoodSecrets } from '../src/index';

const V1 = 'sk-refresh-v1-0123456789abcdef0123';
const V2 = 'sk-refresh-v2-0123456789abcdef0123';
const V3 = 'sk-refresh-v3-0123456789abcdef0123';
const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

/** A store of its own: a secret per name, which can be rotated or taken down. */
function customStore(refreshMs?: number) {
  const secrets = new Map<string, string>([['openai-main', V1]]);
  const state = { down: false, reads: 0 };
  const source: SecretSource = {
    scheme: 'store',
    ...(refreshMs === undefined ? {} : { refreshMs }),
    async resolve(name) {
      state.reads++;
      if (state.down) throw new Error(`store unreachable while reading ${name}`);
      const secret = secrets.get(name);
      if (secret === undefined) throw new Error(`no secret ${name}`);
      return secret;
    },
  };
  return { source, secrets, state };
}

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ keys: { [V1]: {}, [V2]: {}, [V3]: {} } });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const file = { providers: { openai: { keys: [{ id: 'main', from: 'store:openai-main' }] } } };

describe('createFromKeysFile re-reads secret sources on a schedule', () => {
  it('applies a rotated secret in place, keeps the last good one while the store is down, and reports both', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = customStore();
    const keypool = await createFromKeysFile(file, {
      sources: [store.source],
      refreshMs: 60_000,
      clientOptions: { openai: { baseURL: emulator.baseURLs.openai } },
    });
    const seen: unknown[] = [];
    const reloaded: KeysFileEvents['config.reloaded'][] = [];
    const failed: KeysFileEvents['secret.refresh_failed'][] = [];
    const recovered: KeysFileEvents['secret.recovered'][] = [];
    keypool.on('config.reloaded', (event) => {
      reloaded.push(event);
      seen.push(event);
    });
    keypool.on('secret.refresh_failed', (event) => {
      failed.push(event);
      seen.push(event);
    });
    keypool.on('secret.recovered', (event) => {
      recovered.push(event);
      seen.push(event);
    });
    keypool.on('config.error', (event) => seen.push(event));
    const tick = async () => {
      const before = reloaded.length;
      await vi.advanceTimersByTimeAsync(60_000);
      await vi.waitFor(() => expect(reloaded.length).toBe(before + 1));
      return reloaded.at(-1)!;
    };
    try {
      const pool = keypool.pool('openai');
      await pool.chat(ask);
      expect(emulator.requestsFor(V1)).toHaveLength(1);

      // Nothing changed: a re-read changes nothing.
      expect((await tick()).changes).toEqual([]);

      store.secrets.set('openai-main', V2);
      expect((await tick()).changes).toEqual([
        { provider: 'openai', keyId: 'main', action: 'updated', fields: ['secret'] },
      ]);
      await pool.chat(ask);
      expect(emulator.requestsFor(V2)).toHaveLength(1);
      expect(pool.keyIds()).toEqual(['main']);

      // The store goes down: the key keeps V2, and the failure is reported by key and reference.
      store.state.down = true;
      expect((await tick()).changes).toEqual([]);
      await tick();
      expect(failed.map(({ at: _at, ...event }) => event)).toEqual([
        {
          provider: 'openai',
          keyId: 'main',
          ref: 'store:openai-main',
          failures: 1,
          message: 'store unreachable while reading openai-main',
        },
        {
          provider: 'openai',
          keyId: 'main',
          ref: 'store:openai-main',
          failures: 2,
          message: 'store unreachable while reading openai-main',
        },
      ]);
      await pool.chat(ask);
      expect(emulator.requestsFor(V2)).toHaveLength(2);

      // Back up, with a new rotation meanwhile.
      store.state.down = false;
      store.secrets.set('openai-main', V3);
      expect((await tick()).changes).toEqual([
        { provider: 'openai', keyId: 'main', action: 'updated', fields: ['secret'] },
      ]);
      expect(recovered.map(({ at: _at, ...event }) => event)).toEqual([
        { provider: 'openai', keyId: 'main', ref: 'store:openai-main', failures: 2 },
      ]);
      await pool.chat(ask);
      expect(emulator.requestsFor(V3)).toHaveLength(1);

      const text = JSON.stringify(seen, (_key, value) => (value instanceof Error ? value.message : value));
      for (const secret of [V1, V2, V3]) expect(text).not.toContain(secret);
    } finally {
      await keypool.close();
    }
    // Closed: the timer is gone, the store is not read again.
    const reads = store.state.reads;
    await vi.advanceTimersByTimeAsync(300_000);
    expect(store.state.reads).toBe(reads);
  });

  it("follows a source's own refreshMs when the option is left out, and refuses a bad interval", async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = customStore(30_000);
    const keypool = await createFromKeysFile(file, {
      sources: [store.source],
      clientOptions: { openai: { baseURL: emulator.baseURLs.openai } },
    });
    try {
      const reads = store.state.reads;
      await vi.advanceTimersByTimeAsync(29_000);
      expect(store.state.reads).toBe(reads);
      await vi.advanceTimersByTimeAsync(1_000);
      await vi.waitFor(() => expect(store.state.reads).toBe(reads + 1));
    } finally {
      await keypool.close();
    }
    const bad = await createFromKeysFile(file, { sources: [store.source], refreshMs: -1 }).catch(
      (caught: unknown) => caught,
    );
    expect(ConfigError.isInstance(bad)).toBe(true);
    expect((bad as Error).message).toContain('refreshMs: must be a positive number of ms');
  });

  it('fails the first read of a key whose source is down (there is no last good secret)', async () => {
    const store = customStore();
    store.state.down = true;
    await expect(createFromKeysFile(file, { sources: [store.source], refreshMs: 60_000 })).rejects.toThrow(
      /store unreachable/,
    );
  });
});

describe('LastGoodSecrets', () => {
  it('keeps a secret per key and reference, and forgets the keys a read no longer asks for', async () => {
    const failures: string[] = [];
    const lastGood = new LastGoodSecrets(
      (report) => failures.push(`${report.keyId} ${report.failures} ${report.message}`),
      () => undefined,
    );
    let down = false;
    const source: SecretSource = {
      scheme: 'store',
      async resolve(name, context) {
        if (down && context?.refresh) throw new Error(`down (${name})`);
        return `sk-${name}-0123456789abcdef`;
      },
    };
    const read = async (...keyIds: string[]) => {
      const [wrapped] = lastGood.wrap([source]);
      const secrets = await Promise.all(
        keyIds.map((keyId) => wrapped!.resolve(keyId, { provider: 'openai', keyId })),
      );
      lastGood.forgetUnread();
      return secrets;
    };
    await read('a', 'b');
    down = true;
    expect(await read('a', 'b')).toEqual(['sk-a-0123456789abcdef', 'sk-b-0123456789abcdef']);
    expect(failures).toEqual(['a 1 down (a)', 'b 1 down (b)']);
    await read('a'); // "b" left the file: its last good secret is forgotten
    const [wrapped] = lastGood.wrap([source]);
    // Without a last good secret, a read that is not a re-read goes to the source as a first read.
    await expect(wrapped!.resolve('b', { provider: 'openai', keyId: 'b' })).resolves.toBe(
      'sk-b-0123456789abcdef',
    );
  });
});
