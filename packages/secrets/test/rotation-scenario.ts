import { startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { expect } from 'vitest';
import { loadSecretKeys, type SecretStore, watchPoolSecrets } from '../src/index';

/** A store under test and the switches of its local server. */
export interface RotationTarget {
  store: SecretStore;
  /** The reference the key reads (`name` or `name#field`). */
  ref: string;
  /** Writes a new value of the secret in the store (a rotation). */
  put(secret: string): Promise<void> | void;
  /** Makes the store unreachable (true) or serves again (false). */
  setDown(down: boolean): void;
}

const OLD = 'sk-store-rotation-old-0123456789abcdef';
const NEW = 'sk-store-rotation-new-fedcba9876543210';

/**
 * The scenario every store passes: a pool built from the store serves with the secret there; the secret is rotated
 * in the store (the old one revoked at the provider) and reaches the running pool on the next refresh, under the
 * same key id; the store goes down and the pool keeps serving with the last good secret while an event reports it;
 * the store comes back and an event says so. No secret appears in any event, snapshot or summary.
 */
export async function runRotationScenario(target: RotationTarget): Promise<void> {
  const emulator = await startEmulator({ keys: { [OLD]: {} } });
  await target.put(OLD);
  const keys = await loadSecretKeys(target.store, [{ id: 'main', ref: target.ref }]);
  const pool = createOpenAIPool({ keys, clientOptions: { baseURL: emulator.baseURLs.openai } });
  const watcher = watchPoolSecrets(pool, { store: target.store, keys: [{ id: 'main', ref: target.ref }] });
  const seen: unknown[] = [];
  watcher.onAny((event) => seen.push(event));
  pool.onAny((event) => seen.push(event));
  const ask = () => pool.chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  try {
    expect((await ask()).keyId).toBe('main');
    expect(emulator.requestsFor(OLD)).toHaveLength(1);
    expect(await watcher.refresh()).toEqual({ rotated: [], failed: [], rejected: [] });

    await target.put(NEW);
    emulator.setKeyBehaviour(OLD, { invalid: true });
    emulator.addKey(NEW);
    expect(await watcher.refresh()).toEqual({ rotated: ['main'], failed: [], rejected: [] });
    const answer = await ask();
    expect(answer.keyId).toBe('main');
    expect(emulator.requestsFor(NEW)).toHaveLength(1);
    expect(emulator.requestsFor(OLD)).toHaveLength(1);
    expect(seen).toContainEqual(
      expect.objectContaining({
        type: 'secret.rotated',
        keyId: 'main',
        store: target.store.kind,
        masked: 'sk-s...3210',
      }),
    );

    target.setDown(true);
    expect(await watcher.refresh()).toEqual({ rotated: [], failed: ['main'], rejected: [] });
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'secret.refresh_failed', keyIds: ['main'], failures: 1 }),
    );
    expect((await ask()).keyId).toBe('main');
    expect(emulator.requestsFor(NEW)).toHaveLength(2);

    target.setDown(false);
    expect(await watcher.refresh()).toEqual({ rotated: [], failed: [], rejected: [] });
    expect(seen).toContainEqual(expect.objectContaining({ type: 'secret.recovered', failures: 1 }));

    const printed = JSON.stringify([seen, pool.snapshot(), pool.toJSON()]);
    for (const secret of [OLD, NEW]) {
      for (let start = 0; start + 8 <= secret.length; start += 4) {
        expect(printed).not.toContain(secret.slice(start + 3, start + 11));
      }
    }
  } finally {
    await watcher.close();
    await pool.close();
    await emulator.close();
  }
}
