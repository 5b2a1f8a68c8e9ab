import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyPool, type KeyPool } from '@keypool/core';
import { FakeAdapter } from '@keypool/core/testing';
import { Vault } from '@keypool/keystore';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFromKeysFile, type KeysFileEvents, type KeysFileKeypool } from '../src/index';

const A = 'sk-reload-aaaaaaaaaaaaaaaaaaaa';
const B = 'sk-reload-bbbbbbbbbbbbbbbbbbbb';
const C = 'sk-reload-cccccccccccccccccccc';
const B2 = 'sk-reload-b2b2b2b2b2b2b2b2b2b2';
const FAST = { N: 2 ** 10, r: 8, p: 1 };
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

let directory: string;
let open: KeysFileKeypool | undefined;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'keypool-reload-'));
});
afterEach(async () => {
  await open?.close();
  open = undefined;
  await rm(directory, { recursive: true, force: true });
});

/** Pools on the scriptable fake adapter: the reload logic is what is under test here, not an SDK. */
function fakeProviders(adapter: FakeAdapter) {
  return { openai: (input: object) => createKeyPool({ ...input, adapter } as never) as KeyPool };
}

/** Writes the file the way editors do: a new file renamed over the old one. */
async function save(path: string, content: unknown): Promise<void> {
  const temporary = `${path}.tmp-${Math.random().toString(36).slice(2)}`;
  await writeFile(temporary, JSON.stringify(content));
  await rename(temporary, path);
}

/**
 * The next event of a kind that passes `accept` (default: a reload that changed something, since a file system may
 * report one save as two bursts of events), or a failure after `ms`.
 */
function next<K extends keyof KeysFileEvents>(
  keypool: KeysFileKeypool,
  name: K,
  accept: (event: KeysFileEvents[K]) => boolean = (event) =>
    !('changes' in event) || (event as KeysFileEvents['config.reloaded']).changes.length > 0,
  ms = 5_000,
) {
  return new Promise<KeysFileEvents[K]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    const stop = keypool.on(name, (event) => {
      if (!accept(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

const file = (keys: object[], extra: object = {}) => ({
  pool: { strategy: 'priority' },
  providers: { openai: { keys } },
  ...extra,
});

describe('hot reload of a watched keys file', () => {
  it('adds, removes, disables, re-enables and updates keys in the running pool without losing state', async () => {
    const path = join(directory, 'keypool.json');
    await save(
      path,
      file([
        { id: 'a', secret: A, priority: 1 },
        { id: 'b', secret: B, priority: 2 },
      ]),
    );
    const adapter = new FakeAdapter({ provider: 'openai' });
    adapter.always(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 600_000 } });
    open = await createFromKeysFile(path, {
      sources: [],
      providers: fakeProviders(adapter),
      watch: { debounceMs: 20 },
    });
    const pool = open.pool('openai');
    for (let index = 0; index < 3; index++) expect((await pool.chat(request)).keyId).toBe('b');
    const coolingBefore = pool.snapshot().find((key) => key.id === 'a')!;
    expect(coolingBefore.status).toBe('cooling');

    // Add c (first in priority), disable b, change a's weight: a keeps its cooldown and counts.
    let reloaded = next(open, 'config.reloaded');
    await save(
      path,
      file([
        { id: 'a', secret: A, priority: 1, weight: 3 },
        { id: 'b', secret: B, priority: 2, disabled: true },
        { id: 'c', secret: C, priority: 0 },
      ]),
    );
    let event = await reloaded;
    expect(event.changes).toEqual([
      { provider: 'openai', keyId: 'c', action: 'added' },
      { provider: 'openai', keyId: 'a', action: 'updated', fields: ['weight'] },
      { provider: 'openai', keyId: 'b', action: 'disabled' },
    ]);
    expect(event.restartNeeded).toEqual([]);
    expect((await pool.chat(request)).keyId).toBe('c');
    const a = pool.snapshot().find((key) => key.id === 'a')!;
    expect(a).toMatchObject({ status: 'cooling', weight: 3, cooldownUntil: coolingBefore.cooldownUntil });
    expect(a.counts.requests).toBe(coolingBefore.counts.requests);
    const b = pool.snapshot().find((key) => key.id === 'b')!;
    expect(b).toMatchObject({ status: 'disabled', reason: 'disabled in the keys file' });
    expect(b.counts.successes).toBe(3);

    // Re-enable b, remove c, give b a new secret (a new key for the provider: its state starts fresh).
    reloaded = next(open, 'config.reloaded');
    await save(
      path,
      file([
        { id: 'a', secret: A, priority: 1, weight: 3 },
        { id: 'b', secret: B2, priority: 0 },
      ]),
    );
    event = await reloaded;
    expect(event.changes).toEqual([
      { provider: 'openai', keyId: 'b', action: 'updated', fields: ['secret', 'priority'] },
      { provider: 'openai', keyId: 'b', action: 'enabled' },
      { provider: 'openai', keyId: 'c', action: 'removed' },
    ]);
    expect(pool.keyIds()).toEqual(['a', 'b']);
    expect((await pool.chat(request)).keyId).toBe('b');
    expect(adapter.callsFor(B2)).toHaveLength(1);
    expect(pool.snapshot().find((key) => key.id === 'b')!.counts.requests).toBe(1);
  });

  it('keeps the last good configuration after a bad edit, reports it, and recovers on the next good one', async () => {
    const path = join(directory, 'keypool.json');
    await save(path, file([{ id: 'a', secret: A }]));
    const adapter = new FakeAdapter({ provider: 'openai' });
    open = await createFromKeysFile(path, {
      sources: [],
      providers: fakeProviders(adapter),
      watch: { debounceMs: 20 },
    });
    const pool = open.pool('openai');
    await pool.chat(request);

    let failed = next(open, 'config.error');
    await writeFile(path, `{ "providers": { "openai": { "keys": [ { "id": "a", "secret": "${A}" `);
    let error = await failed;
    expect(error.message).toContain('keypool.json');
    expect(error.message).toContain('not valid JSON');
    expect(`${error.message} ${error.error.stack}`).not.toContain(A);

    failed = next(open, 'config.error');
    await save(path, file([{ id: 'a', secret: A, rpm: -1 }]));
    error = await failed;
    expect(error.message).toContain('providers.openai.keys[0].rpm');
    expect(`${error.message} ${error.error.stack} ${String(error.error.cause)}`).not.toContain(A);

    failed = next(open, 'config.error');
    await save(path, file([]));
    error = await failed;
    expect(error.message).toContain('providers.openai.keys: a running pool keeps at least one key');

    // A second key with the same secret is kept once, with a warning (no secret in it).
    const warned = next(open, 'config.reloaded', (event) =>
      event.warnings.some((warning) => warning.code === 'duplicate_secret'),
    );
    await save(
      path,
      file([
        { id: 'a', secret: A },
        { id: 'twin', secret: A },
      ]),
    );
    const withWarning = await warned;
    expect(withWarning.changes).toEqual([]);
    expect(withWarning.warnings.map((warning) => warning.code)).toEqual([
      'inline_secret',
      'inline_secret',
      'duplicate_secret',
    ]);
    expect(JSON.stringify(withWarning)).not.toContain(A);

    // Nothing changed meanwhile.
    expect(pool.keyIds()).toEqual(['a']);
    expect(pool.snapshot()[0]!.counts.successes).toBe(1);
    await pool.chat(request);

    const reloaded = next(open, 'config.reloaded');
    await save(
      path,
      file(
        [
          { id: 'a', secret: A },
          { id: 'b', secret: B },
        ],
        { chains: {} },
      ),
    );
    const event = await reloaded;
    expect(event.changes).toEqual([{ provider: 'openai', keyId: 'b', action: 'added' }]);
    expect(pool.snapshot().find((key) => key.id === 'a')!.counts.successes).toBe(2);
  });

  it('says which edits need a restart (pool options, chains, a new provider) and applies the keys anyway', async () => {
    const path = join(directory, 'keypool.json');
    await save(path, file([{ id: 'a', secret: A }]));
    open = await createFromKeysFile(path, {
      sources: [],
      providers: fakeProviders(new FakeAdapter({ provider: 'openai' })),
    });
    await save(path, {
      pool: { strategy: 'round-robin' },
      providers: {
        openai: { keys: [{ id: 'a', secret: A, priority: 4 }] },
        mistral: { keys: [{ id: 'm', secret: B }] },
      },
    });
    const event = next(open, 'config.reloaded', () => true);
    await expect(open.reload()).resolves.toEqual([
      { provider: 'openai', keyId: 'a', action: 'updated', fields: ['priority'] },
    ]);
    expect((await event).restartNeeded).toEqual(['pool', 'providers.mistral']);
  });

  it('follows the vault: a key disabled, enabled or made primary there (keypool keys ...) reaches the pool', async () => {
    const vaultPath = join(directory, 'vault.json');
    const vault = new Vault({ path: vaultPath, passphrase: 'pw', scrypt: FAST, env: {} });
    await vault.add({ provider: 'openai', id: 'first', secret: A });
    await vault.add({ provider: 'openai', id: 'second', secret: B });
    const path = join(directory, 'keypool.yaml');
    await writeFile(
      path,
      `pool: { strategy: priority }
providers:
  openai:
    keys:
      - { id: first, from: "vault:first" }
      - { id: second, from: "vault:openai/second" }
`,
    );
    const adapter = new FakeAdapter({ provider: 'openai' });
    open = await createFromKeysFile(path, {
      vault: { path: vaultPath, passphrase: 'pw', env: {} },
      providers: fakeProviders(adapter),
      watch: { debounceMs: 20 },
    });
    const pool = open.pool('openai');
    expect((await pool.chat(request)).keyId).toBe('first');

    let reloaded = next(open, 'config.reloaded');
    await vault.setPrimary('openai', 'second');
    expect((await reloaded).changes).toEqual([{ provider: 'openai', keyId: 'second', action: 'primary' }]);
    expect((await pool.chat(request)).keyId).toBe('second');

    reloaded = next(open, 'config.reloaded');
    await vault.disable('openai', 'second', 'rotated');
    expect((await reloaded).changes).toEqual([{ provider: 'openai', keyId: 'second', action: 'disabled' }]);
    expect((await pool.chat(request)).keyId).toBe('first');

    reloaded = next(open, 'config.reloaded');
    await vault.enable('openai', 'second');
    expect((await reloaded).changes).toEqual([{ provider: 'openai', keyId: 'second', action: 'enabled' }]);
    expect((await pool.chat(request)).keyId).toBe('second');
    expect(pool.snapshot().find((key) => key.id === 'second')!.counts.successes).toBe(2);
  });
});
