import { describe, expect, it } from 'vitest';
import type { ChatRequest } from './chat';
import { createKeyPool } from './key-pool';
import { FakeAdapter } from './testing/fake-adapter';

const OLD = 'sk-rotate-old-secret-0000000001';
const NEW = 'sk-rotate-new-secret-0000000002';
const OTHER = 'sk-rotate-other-secret-00000003';
const request: ChatRequest = { model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] };

describe('updateKeySecret', () => {
  it('puts a new secret in place: same id and pool order, the next call uses it, the old state is dropped', async () => {
    const adapter = new FakeAdapter();
    adapter.always(OLD, { type: 'error', category: 'auth' });
    const pool = createKeyPool({
      adapter,
      keys: [
        { id: 'primary', secret: OLD, weight: 2, tags: ['prod'], quotaGroup: 'org-1' },
        { id: 'backup', secret: OTHER },
      ],
      strategy: 'round-robin',
    });
    const events: unknown[] = [];
    pool.onAny((event) => events.push(event));
    await pool.chat(request); // the old secret fails auth: the key is disabled, the call served by the backup
    expect(pool.snapshot()[0]).toMatchObject({ id: 'primary', status: 'disabled' });

    await expect(pool.updateKeySecret('primary', NEW)).resolves.toBe('updated');
    expect(pool.keyIds()).toEqual(['primary', 'backup']);
    const [primary] = pool.snapshot();
    expect(primary).toMatchObject({ id: 'primary', status: 'active', weight: 2, tags: ['prod'] });
    expect(primary?.masked).toBe('sk-r...0002');

    const served = [];
    for (let index = 0; index < 4; index++) served.push((await pool.chat(request)).keyId);
    expect(served).toContain('primary');
    expect(adapter.callsFor(NEW).length).toBeGreaterThan(0);
    expect(adapter.callsFor(OLD)).toHaveLength(1);

    const updated = events.filter((event) => (event as { type: string }).type === 'key.secret_updated');
    expect(updated).toEqual([
      expect.objectContaining({
        keyId: 'primary',
        masked: 'sk-r...0002',
        previousMasked: 'sk-r...0001',
        enabled: true,
      }),
    ]);
    const printed = JSON.stringify([events, pool.snapshot(), pool.toJSON()]);
    for (const secret of [OLD, NEW, OTHER]) expect(printed).not.toContain(secret);
  });

  it('keeps a key the application disabled disabled, and does nothing for the same secret', async () => {
    const pool = createKeyPool({
      adapter: new FakeAdapter(),
      keys: [
        { id: 'a', secret: OLD },
        { id: 'b', secret: OTHER },
      ],
    });
    await pool.disableKey('a', 'paused by ops');
    expect(await pool.updateKeySecret('a', NEW)).toBe('updated');
    expect(pool.snapshot()[0]).toMatchObject({ status: 'disabled', reason: 'paused by ops' });
    expect(await pool.updateKeySecret('a', NEW)).toBe('unchanged');
  });

  it('scrubs the new secret out of errors and refuses bad input without echoing it', async () => {
    const adapter = new FakeAdapter();
    adapter.always(NEW, { type: 'error', category: 'invalid_request', message: `bad request for ${NEW}` });
    const pool = createKeyPool({ adapter, keys: [{ id: 'a', secret: OLD }] });
    await pool.updateKeySecret('a', NEW);
    const error = await pool.chat(request).catch((caught: unknown) => caught);
    expect(String((error as Error).message)).not.toContain(NEW);
    expect(JSON.stringify(error)).not.toContain(NEW);

    await expect(pool.updateKeySecret('missing', NEW)).rejects.toThrow('no key with id "missing"');
    const bad = 'sk-has a space-inside-000000';
    const refused = await pool.updateKeySecret('a', bad).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect(refused?.message).toContain('HTTP header');
    expect(refused?.message).not.toContain(bad);
  });
});
