import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emulatorPools, pause, traffic } from '../test/emulator-pools';
import { createFallbackChain } from './fallback-chain';
import type { FallbackEvents } from './fallback-events';

// End to end with the real SDKs against the emulator: a chain that follows its primary back after a short outage,
// and waits in place for a short, known wait instead of failing.
const WINDOW_MS = 1_000;
const ANT = 'sk-ant-e2e-recovery-healthy-00000000001';
const ANT_LIMITED = 'sk-ant-e2e-recovery-rpm-one-000000002';
const OAI = 'sk-e2e-recovery-openai-healthy-00000003';

const ask = () => ({
  model: 'replaced',
  maxTokens: 32,
  messages: [{ role: 'user' as const, content: 'hi' }],
});

let emu: Emulator;
let pools: ReturnType<typeof emulatorPools>;

beforeAll(async () => {
  emu = await startEmulator({
    windowMs: WINDOW_MS,
    keys: { [ANT]: {}, [ANT_LIMITED]: { rpm: 1, window: 'fixed' }, [OAI]: {} },
    models: { 'claude-flaps-3s': { outage: { downMs: 3_000 } } },
  });
  pools = emulatorPools(emu, WINDOW_MS);
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('a chain that follows its primary (default breaker)', () => {
  it('primary down 3 s: the fallback serves meanwhile, the primary serves again within ~2 s of its recovery', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-flaps-3s', name: 'claude' },
      { pool: pools.openai([OAI]), model: 'gpt-ok', name: 'gpt' },
    ]);
    const served: { name: string; at: number }[] = [];
    const started = Date.now();
    while (Date.now() - started < 6_500) {
      const result = await chain.chat(ask());
      served.push({ name: result.served.name, at: Date.now() });
      await pause(50);
    }
    const primary = traffic(emu, 'claude-flaps-3s');
    // The outage clock starts at the primary's first request.
    const recoveredAt = primary.times[0]! + 3_000;
    const firstOk = primary.outcomes.indexOf('ok');
    expect(firstOk).toBeGreaterThan(0);
    const backAfterMs = primary.times[firstOk]! - recoveredAt;
    expect(backAfterMs).toBeGreaterThanOrEqual(0);
    expect(backAfterMs).toBeLessThanOrEqual(2_000);
    // Once back, the primary serves every call again, and it was not hammered while down.
    const back = served.findIndex((entry) => entry.at >= primary.times[firstOk]! && entry.name === 'claude');
    expect(served.slice(back).every((entry) => entry.name === 'claude')).toBe(true);
    expect(primary.outcomes.filter((outcome) => outcome === 'overloaded').length).toBeLessThanOrEqual(12);
    expect(served.filter((entry) => entry.name === 'gpt').length).toBeGreaterThan(10);
  }, 15_000);
});

describe('waiting in place (the chain)', () => {
  it('one limited key, retry-after under 1 s: the chain waits for it and serves, no error', async () => {
    const chain = createFallbackChain([{ pool: pools.anthropic([ANT_LIMITED]), model: 'claude-ok' }]);
    const waits: FallbackEvents['fallback.wait'][] = [];
    chain.on('fallback.wait', (event) => waits.push(event));
    // Another process spends the key's one request of this window.
    await pools.anthropic([ANT_LIMITED]).chat({ ...ask(), model: 'claude-ok' });
    const result = await chain.chat(ask());
    expect(result.text).toBe('Echo: hi');
    expect(waits).toHaveLength(1);
    const entries = emu.requestsFor(ANT_LIMITED);
    expect(entries.map((entry) => entry.outcome)).toEqual(['ok', 'rate_limited', 'ok']);
    // One retry, once the window had freed (the emulator answers ok only then), within the window's length.
    expect(entries[2]!.time - entries[1]!.time).toBeLessThanOrEqual(WINDOW_MS + 100);
    expect(waits[0]!.waitMs).toBeLessThanOrEqual(WINDOW_MS);
  });
});
