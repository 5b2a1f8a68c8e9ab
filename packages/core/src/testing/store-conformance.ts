import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCategory } from '../categories';
import type { StateStore, StoreKey, WindowLengths } from '../state-store';

/** Options of the state-store conformance suite. */
export interface StoreConformanceOptions {
  /** The suite's title, e.g. `@keypool/redis`. */
  name: string;
  /** A fresh, empty store (each test gets its own). */
  createStore: () => StateStore | Promise<StateStore>;
  /** Called after each test with the store it used. */
  destroyStore?: (store: StateStore) => void | Promise<void>;
}

const WINDOWS: WindowLengths = { minuteMs: 1_000, dayMs: 10_000 };
const T0 = 1_700_000_000_000;

let serial = 0;
function key(limits: StoreKey['limits'] = {}): StoreKey {
  serial++;
  return {
    fingerprint: `conformance${String(serial).padStart(5, '0')}${Math.random().toString(16).slice(2, 8)}`,
    limits,
  };
}

const success = (now: number, extra: Partial<Parameters<StateStore['record']>[1]> = {}) => ({
  now,
  outcome: 'success' as const,
  reservedTokens: 0,
  latencyMs: 10,
  probe: false,
  ...extra,
});

const failure = (
  now: number,
  category: ErrorCategory,
  extra: Partial<Parameters<StateStore['record']>[1]> = {},
) => ({
  now,
  outcome: 'failure' as const,
  category,
  reservedTokens: 0,
  latencyMs: 1,
  probe: false,
  ...extra,
});

/**
 * The conformance suite every state store passes: atomic reservations against request and token windows,
 * reconciliation, cooldowns that never shorten, half-open probing, disable/enable, quota groups, batched reads,
 * restore, and concurrent reservations that never exceed a limit.
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  describe(`${options.name}: state store conformance`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await options.createStore();
    });
    afterEach(async () => {
      await options.destroyStore?.(store);
    });

    it('reserves on a fresh key and counts the attempt', async () => {
      const k = key();
      await store.register([k], WINDOWS);
      const result = await store.reserve(k, { requests: 1, tokens: 10 }, T0);
      expect(result.ok).toBe(true);
      expect(result.view.inFlight).toBe(1);
      expect(result.view.requests).toBe(1);
      const recorded = await store.record(k, success(T0 + 5, { reservedTokens: 10, actualTokens: 12 }));
      expect(recorded.view.inFlight).toBe(0);
      expect(recorded.view.successes).toBe(1);
    });

    it('never lets a request window exceed rpm, and frees it when the window passes', async () => {
      const k = key({ rpm: 3 });
      await store.register([k], WINDOWS);
      for (let index = 0; index < 3; index++)
        expect((await store.reserve(k, { requests: 1, tokens: 0 }, T0)).ok).toBe(true);
      const full = await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 10);
      expect(full.ok).toBe(false);
      if (!full.ok) {
        expect(full.why).toBe('capacity');
        expect(full.retryAt).toBeGreaterThan(T0 + 10);
        expect(full.retryAt).toBeLessThanOrEqual(T0 + WINDOWS.minuteMs * 1.1);
      }
      expect((await store.reserve(k, { requests: 1, tokens: 0 }, T0 + WINDOWS.minuteMs * 1.2)).ok).toBe(true);
    });

    it('reserves estimated tokens and reconciles them with real usage', async () => {
      const k = key({ tpm: 100 });
      await store.register([k], WINDOWS);
      expect((await store.reserve(k, { requests: 1, tokens: 80 }, T0)).ok).toBe(true);
      expect((await store.reserve(k, { requests: 1, tokens: 30 }, T0)).ok).toBe(false);
      await store.record(k, success(T0 + 1, { reservedTokens: 80, actualTokens: 20 }));
      expect((await store.reserve(k, { requests: 1, tokens: 70 }, T0 + 2)).ok).toBe(true);
    });

    it('gives back a failed attempt’s tokens', async () => {
      const k = key({ tpm: 100 });
      await store.register([k], WINDOWS);
      expect((await store.reserve(k, { requests: 1, tokens: 90 }, T0)).ok).toBe(true);
      await store.record(k, failure(T0 + 1, 'server', { reservedTokens: 90 }));
      expect((await store.reserve(k, { requests: 1, tokens: 90 }, T0 + 2)).ok).toBe(true);
    });

    it('cools a key, and a later deadline never shortens an earlier one', async () => {
      const k = key();
      await store.register([k], WINDOWS);
      await store.reserve(k, { requests: 1, tokens: 0 }, T0);
      await store.record(k, failure(T0, 'rate_limit', { cooldownUntil: T0 + 5_000, reason: 'rate_limit' }));
      const cooling = await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 100);
      expect(cooling.ok).toBe(false);
      if (!cooling.ok) {
        expect(cooling.why).toBe('cooling');
        expect(cooling.retryAt).toBe(T0 + 5_000);
      }
      await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 200);
      await store.record(k, failure(T0 + 200, 'rate_limit', { cooldownUntil: T0 + 1_000 }));
      const [view] = await store.read([k], T0 + 300);
      expect(view?.cooldownUntil).toBe(T0 + 5_000);
      expect(view?.consecutiveFailures).toBeGreaterThanOrEqual(1);
    });

    it('lets one probe through after a cooldown, then full traffic once it succeeds', async () => {
      const k = key();
      await store.register([k], WINDOWS);
      await store.reserve(k, { requests: 1, tokens: 0 }, T0);
      await store.record(k, failure(T0, 'rate_limit', { cooldownUntil: T0 + 1_000 }));
      const probe = await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 1_001);
      expect(probe.ok && probe.probe).toBe(true);
      const second = await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 1_002);
      expect(second.ok).toBe(false);
      if (!second.ok) expect(second.why).toBe('probing');
      const recorded = await store.record(k, success(T0 + 1_050, { probe: true }));
      expect(recorded.recovered).toBe(true);
      expect(recorded.view.halfOpen).toBe(false);
      const after = await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 1_060);
      expect(after.ok && !after.probe).toBe(true);
    });

    it('disables a key until it is enabled again', async () => {
      const k = key();
      await store.register([k], WINDOWS);
      await store.reserve(k, { requests: 1, tokens: 0 }, T0);
      await store.record(k, failure(T0, 'auth', { disable: true, reason: 'auth: invalid key' }));
      const refused = await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 10_000_000);
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.why).toBe('disabled');
      expect(refused.view.reason).toBe('auth: invalid key');
      const enabled = await store.setStatus(k, { enabled: true, reset: true }, T0 + 1);
      expect(enabled.status).toBe('active');
      expect((await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 2)).ok).toBe(true);
    });

    it('cools a whole quota group at once', async () => {
      const a = key();
      const b = key();
      await store.register([a, b], WINDOWS);
      await store.reserve(a, { requests: 1, tokens: 0 }, T0);
      await store.record(a, failure(T0, 'quota_exhausted', { cooldownUntil: T0 + 9_000, group: [a, b] }));
      const other = await store.reserve(b, { requests: 1, tokens: 0 }, T0 + 1);
      expect(other.ok).toBe(false);
      if (!other.ok) expect(other.retryAt).toBe(T0 + 9_000);
    });

    it('reads many keys in one batch, in order', async () => {
      const keys = [key(), key(), key()];
      await store.register(keys, WINDOWS);
      await store.reserve(keys[1]!, { requests: 1, tokens: 0 }, T0);
      const views = await store.read(keys, T0 + 1);
      expect(views.map((view) => view.requests)).toEqual([0, 1, 0]);
    });

    it('restores persisted state', async () => {
      const k = key();
      await store.register([k], WINDOWS);
      await store.restore(
        new Map([
          [
            k.fingerprint,
            {
              status: 'active',
              cooldownUntil: T0 + 4_000,
              consecutiveFailures: 2,
              requests: 7,
              successes: 5,
              failures: { rate_limit: 2 },
            },
          ],
        ]),
        T0,
      );
      const result = await store.reserve(k, { requests: 1, tokens: 0 }, T0 + 1);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.retryAt).toBe(T0 + 4_000);
      const [view] = await store.read([k], T0 + 2);
      expect(view?.successes).toBe(5);
    });

    it('never over-reserves under concurrent reservations', async () => {
      const k = key({ rpm: 10 });
      await store.register([k], WINDOWS);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.reserve(k, { requests: 1, tokens: 0 }, T0)),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(10);
    });

    it('forgets a removed key', async () => {
      const k = key();
      await store.register([k], WINDOWS);
      await store.reserve(k, { requests: 1, tokens: 0 }, T0);
      await store.remove(k);
      await store.register([k], WINDOWS);
      const [view] = await store.read([k], T0 + 1);
      expect(view?.requests).toBe(0);
    });
  });
}
