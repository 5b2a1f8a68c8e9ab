import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PoolEvent } from './events';
import { createKeyPool } from './key-pool';
import { maskSecret } from './secret';
import { FakeAdapter } from './testing/fake-adapter';

const A = 'sk-stamps-aaaaaaaaaaaaaaaaaaaaa';
const B = 'sk-stamps-bbbbbbbbbbbbbbbbbbbbb';
const T0 = 20_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('what the events of one rotated call say', () => {
  it('key.rotated and request.retry name both keys (id and masked), every event is stamped, no secret anywhere', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'server' });
    const pool = createKeyPool({
      adapter,
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
      ],
      strategy: 'round-robin',
    });
    const events: PoolEvent[] = [];
    pool.onAny((event) => events.push(event));
    vi.setSystemTime(T0 + 1_234);
    const result = await pool.chat({ model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(result.keyId).toBe('b');

    const rotated = events.find((event) => event.type === 'key.rotated');
    expect(rotated).toMatchObject({
      provider: 'fake',
      fromKeyId: 'a',
      fromMasked: maskSecret(A),
      toKeyId: 'b',
      toMasked: maskSecret(B),
      reason: 'server',
      attempt: 2,
      model: 'gpt-x',
      at: T0 + 1_234,
    });
    expect(events.find((event) => event.type === 'request.retry')).toMatchObject({
      fromKeyId: 'a',
      fromMasked: maskSecret(A),
      category: 'server',
    });
    const success = events.find((event) => event.type === 'request.success');
    expect(success).toMatchObject({ keyId: 'b', masked: maskSecret(B), attempts: 2, model: 'gpt-x' });
    expect(typeof (success as { latencyMs?: unknown }).latencyMs).toBe('number');
    // The order a log reads: selected a, failure on a, retry, rotated to b, selected b, success on b.
    expect(events.map((event) => event.type)).toEqual([
      'key.selected',
      'request.failure',
      'request.retry',
      'key.selected',
      'key.rotated',
      'request.success',
    ]);
    for (const event of events) {
      expect(event.at).toBe(T0 + 1_234);
      expect(event.model).toBe('gpt-x');
    }
    const printed = JSON.stringify(events);
    expect(printed).not.toContain(A);
    expect(printed).not.toContain(B);
  });
});
