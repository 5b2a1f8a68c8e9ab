import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, PoolExhaustedError } from './errors';
import { compileModelPatterns } from './key-bindings';
import { createKeyPool } from './key-pool';
import { NoKeyForModelError } from './no-key-for-model-error';
import { FakeAdapter } from './testing/fake-adapter';

const MINI = 'sk-test-mini-aaaaaaaaaaaaaaaa';
const BIG = 'sk-test-big-bbbbbbbbbbbbbbbbbb';
const ANY = 'sk-test-any-cccccccccccccccccc';
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });

describe('compileModelPatterns', () => {
  it('matches names exactly and * as any run of characters', () => {
    const matches = compileModelPatterns(['gpt-4o', 'claude-*-4*', 'o1.*']);
    expect(matches('gpt-4o')).toBe(true);
    expect(matches('gpt-4o-mini')).toBe(false);
    expect(matches('claude-sonnet-4-5')).toBe(true);
    expect(matches('claude-sonnet-3-7')).toBe(false);
    expect(matches('o1.preview')).toBe(true);
    // A dot is a dot, not "any character".
    expect(matches('o1xpreview')).toBe(false);
    expect(compileModelPatterns(['*'])('anything')).toBe(true);
  });
});

describe('keys bound to models', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function pool(adapter: FakeAdapter) {
    return createKeyPool({
      adapter,
      strategy: 'round-robin',
      keys: [
        { id: 'mini', secret: MINI, models: ['gpt-4o-mini*'] },
        { id: 'big', secret: BIG, models: ['gpt-4o', 'o3'] },
        { id: 'any', secret: ANY },
      ],
    });
  }

  it('selects only the keys allowed for the call model', async () => {
    const adapter = new FakeAdapter();
    const keys = pool(adapter);
    const served = new Set<string>();
    for (let index = 0; index < 8; index++) served.add((await keys.chat(ask('gpt-4o'))).keyId);
    expect([...served].sort()).toEqual(['any', 'big']);
    served.clear();
    for (let index = 0; index < 8; index++) served.add((await keys.chat(ask('gpt-4o-mini-2024'))).keyId);
    expect([...served].sort()).toEqual(['any', 'mini']);
    served.clear();
    for (let index = 0; index < 4; index++) served.add((await keys.chat(ask('gemini-x'))).keyId);
    expect([...served]).toEqual(['any']);
    expect(adapter.callsFor(MINI).length + adapter.callsFor(BIG).length + adapter.callsFor(ANY).length).toBe(
      20,
    );
  });

  it('never retries on a key not allowed for the model, even when the allowed ones fail', async () => {
    const adapter = new FakeAdapter();
    adapter.always(BIG, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 60_000 } });
    adapter.always(ANY, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 60_000 } });
    const keys = pool(adapter);
    const error = await keys.chat(ask('gpt-4o')).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
    expect(adapter.callsFor(BIG).length + adapter.callsFor(ANY).length).toBe(2);
    expect(adapter.callsFor(MINI)).toHaveLength(0);
  });

  it('fails fast, before any reservation, for a model no key allows', async () => {
    const adapter = new FakeAdapter();
    const keys = createKeyPool({
      adapter,
      keys: [
        { id: 'mini', secret: MINI, models: ['gpt-4o-mini'] },
        { id: 'big', secret: BIG, models: ['gpt-4o'] },
      ],
    });
    const selected: string[] = [];
    keys.on('key.selected', (event) => selected.push(event.keyId));
    const error = await keys.chat(ask('o3')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NoKeyForModelError);
    const typed = error as NoKeyForModelError;
    expect(typed.message).toContain('"o3"');
    expect(typed.message).toContain('gpt-4o-mini, gpt-4o');
    expect(typed.category).toBe('invalid_request');
    expect(typed.modelNotFound).toBe(true);
    expect(selected).toEqual([]);
    expect(adapter.calls).toHaveLength(0);
    expect(keys.snapshot().every((key) => key.counts.requests === 0)).toBe(true);
  });

  it('a call that names no model may use every key', async () => {
    const adapter = new FakeAdapter();
    const keys = createKeyPool({ adapter, keys: [{ id: 'mini', secret: MINI, models: ['gpt-4o-mini'] }] });
    await expect(keys.run(async (client) => client.secret)).resolves.toBe(MINI);
  });

  it('shows the models in snapshots and rejects a bad models list with its path', async () => {
    const keys = pool(new FakeAdapter());
    const snapshot = keys.snapshot();
    expect(snapshot.find((key) => key.id === 'mini')?.models).toEqual(['gpt-4o-mini*']);
    expect(snapshot.find((key) => key.id === 'any')?.models).toBeUndefined();
    expect(JSON.stringify(snapshot)).not.toContain(MINI);
    const bad = (() => {
      try {
        createKeyPool({ adapter: new FakeAdapter(), keys: [{ id: 'x', secret: MINI, models: [] }] });
      } catch (error) {
        return error;
      }
    })();
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).issues[0]?.path).toBe('keys[0].models');
  });

  it('updateKey rebinds a key at run time and keeps its state', async () => {
    const adapter = new FakeAdapter();
    const keys = pool(adapter);
    await keys.chat(ask('gpt-4o-mini'));
    await keys.chat(ask('gpt-4o-mini'));
    const before = keys.snapshot().find((key) => key.id === 'mini')!;
    const changed = await keys.updateKey({ id: 'mini', secret: MINI, models: ['o3'] });
    expect(changed).toEqual(['models']);
    for (let index = 0; index < 4; index++) expect((await keys.chat(ask('gpt-4o-mini'))).keyId).toBe('any');
    const served = new Set<string>();
    for (let index = 0; index < 6; index++) served.add((await keys.chat(ask('o3'))).keyId);
    expect([...served].sort()).toEqual(['any', 'big', 'mini']);
    const after = keys.snapshot().find((key) => key.id === 'mini')!;
    expect(after.counts.requests).toBeGreaterThan(before.counts.requests);
  });
});
