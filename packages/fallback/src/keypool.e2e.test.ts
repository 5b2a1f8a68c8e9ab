import { createAnthropicPool } from '@keypool/anthropic';
import { ConfigError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { createGeminiPool } from '@keypool/gemini';
import { createMistralPool } from '@keypool/mistral';
import { createOpenAIPool } from '@keypool/openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFallbackChain } from './fallback-chain';
import { createKeypool, type KeypoolEvent } from './keypool';

// The registry over real pools (real SDKs through the four provider packages) against the emulator on 127.0.0.1.
const OAI = 'sk-registry-openai-healthy-000000000001';
const OAI_QUOTA = 'sk-registry-openai-no-quota-0000000002';
const ANT = 'sk-ant-registry-healthy-00000000000003';
const GEM = 'AIzaRegistryGeminiHealthy00000000004';
const MIS = 'mis-registry-mistral-healthy-00000005';
const SECRETS = [OAI, OAI_QUOTA, ANT, GEM, MIS];
const ask = (content: string) => ({
  model: 'gpt-4o',
  maxTokens: 16,
  messages: [{ role: 'user' as const, content }],
});

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    models: { 'claude-gone': { notFound: true } },
    keys: { [OAI]: {}, [OAI_QUOTA]: { quotaExhausted: true }, [ANT]: {}, [GEM]: {}, [MIS]: {} },
  });
});
afterAll(() => emu.close());

function pools() {
  return {
    openai: createOpenAIPool({
      keys: [
        { id: 'oai-spent', secret: OAI_QUOTA },
        { id: 'oai-ok', secret: OAI },
      ],
      strategy: 'round-robin',
      clientOptions: { baseURL: emu.baseURLs.openai },
    }),
    anthropic: createAnthropicPool({
      keys: [{ id: 'ant-ok', secret: ANT }],
      clientOptions: { baseURL: emu.baseURLs.anthropic },
    }),
    gemini: createGeminiPool({
      keys: [{ id: 'gem-ok', secret: GEM }],
      clientOptions: { httpOptions: { baseUrl: emu.baseURLs.gemini } },
    }),
    mistral: createMistralPool({
      keys: [{ id: 'mis-ok', secret: MIS }],
      clientOptions: { serverURL: emu.baseURLs.mistral },
    }),
  };
}

describe('createKeypool (real pools, emulator)', () => {
  it('streams every pool and chain event with its provider, and snapshots and counts across providers', async () => {
    const { openai, anthropic, gemini, mistral } = pools();
    const chain = createFallbackChain([
      { pool: anthropic, model: 'claude-gone' },
      { pool: mistral, model: 'mistral-small-latest' },
    ]);
    emu.reset();
    const keypool = createKeypool({ openai, anthropic, gemini, mistral, chains: { main: chain } });
    const events: KeypoolEvent[] = [];
    keypool.onAny((event) => events.push(event));
    try {
      await openai.chat(ask('one'));
      await gemini.chat({ ...ask('two'), model: 'gemini-2.5-flash' });
      await chain.chat(ask('three'));

      const selected = events.filter((event) => event.source === 'pool' && event.type === 'key.selected');
      expect(new Set(selected.map((event) => event.provider))).toEqual(
        new Set(['openai', 'gemini', 'anthropic', 'mistral']),
      );
      expect(events).toContainEqual(
        expect.objectContaining({
          source: 'chain',
          chain: 'main',
          type: 'fallback.served',
          provider: 'mistral',
        }),
      );

      const snapshot = keypool.snapshot();
      expect(Object.keys(snapshot.providers)).toEqual(['openai', 'anthropic', 'gemini', 'mistral']);
      expect(snapshot.providers.openai?.map((key) => key.id)).toEqual(['oai-spent', 'oai-ok']);
      expect(snapshot.chains.main?.map((step) => step.provider)).toEqual(['anthropic', 'mistral']);

      const status = keypool.status();
      const openaiStatus = status.providers.find((entry) => entry.provider === 'openai');
      expect(openaiStatus).toMatchObject({ keys: 2, active: 1, successes: 1, failures: 1, available: true });
      expect(openaiStatus!.cooling + openaiStatus!.disabled + openaiStatus!.limited).toBe(1);
      expect(status.providers.find((entry) => entry.provider === 'mistral')).toMatchObject({ successes: 1 });
      expect(status.chains).toEqual([{ name: 'main', steps: 2, openBreakers: 0 }]);
      expect(status.ok).toBe(true);

      const text = JSON.stringify({ events, snapshot, status });
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    } finally {
      await keypool.close();
    }
  });

  it('reports a provider with no usable key, and closes every pool once', async () => {
    const openai = createOpenAIPool({
      keys: [{ id: 'oai-spent', secret: OAI_QUOTA }],
      clientOptions: { baseURL: emu.baseURLs.openai },
    });
    const { mistral } = pools();
    const keypool = createKeypool({ openai, mistral });
    await expect(openai.chat(ask('spent'))).rejects.toThrow();
    const status = keypool.status();
    expect(status.ok).toBe(false);
    expect(status.providers.map((entry) => [entry.provider, entry.available])).toEqual([
      ['openai', false],
      ['mistral', true],
    ]);
    const events: KeypoolEvent[] = [];
    keypool.onAny((event) => events.push(event));
    const closes = [vi.spyOn(openai, 'close'), vi.spyOn(mistral, 'close')];
    const closing = keypool.close();
    expect(keypool.close()).toBe(closing);
    await closing;
    expect(closes.map((spy) => spy.mock.calls.length)).toEqual([1, 1]);
    // The registry stopped listening: a call on a pool it held no longer reaches its listeners.
    await mistral.chat({ ...ask('after close'), model: 'mistral-small-latest' });
    expect(events).toEqual([]);
  });

  it('rejects what is not a pool or a chain, a pool under another name, and unknown options, naming each', () => {
    const { anthropic } = pools();
    let error: unknown;
    try {
      createKeypool({
        openai: anthropic,
        gemini: {} as never,
        chains: { main: 'nope' as never },
        ...({ cohere: anthropic } as object),
      });
    } catch (thrown) {
      error = thrown;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual([
      'cohere',
      'openai',
      'gemini',
      'chains.main',
    ]);
    expect((error as Error).message).toContain('openai: this is a anthropic pool');
    expect(() => createKeypool({}).pool('gemini')).toThrow(/gemini: no pool for this provider/);
    return anthropic.close();
  });
});
