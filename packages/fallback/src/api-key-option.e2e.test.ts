import { createAnthropicPool } from '@keypool/anthropic';
import { ConfigError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { createGeminiPool } from '@keypool/gemini';
import { createMistralPool } from '@keypool/mistral';
import { createOpenAIPool } from '@keypool/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFallbackChain } from './fallback-chain';

// One key per provider, given the way the SDKs take it (`apiKey`), through the real SDKs against the emulator.
const OAI = 'sk-apikey-option-openai-0000000000001';
const ANT_REVOKED = 'sk-ant-apikey-option-revoked-000000002';
const GEM = 'AIzaApiKeyOptionGemini0000000000003';
const MIS = 'mis-apikey-option-mistral-000000000004';
const SECRETS = [OAI, ANT_REVOKED, GEM, MIS];
const hello = [{ role: 'user' as const, content: 'hello' }];

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: { [OAI]: {}, [ANT_REVOKED]: { invalid: true }, [GEM]: {}, [MIS]: {} } });
});
afterAll(() => emu.close());

describe('the apiKey pool option (one key, as the SDKs take it)', () => {
  it('builds a pool of one key, id "apiKey", on every provider: pool.chat and pool.client answer', async () => {
    const openai = createOpenAIPool({ apiKey: OAI, clientOptions: { baseURL: emu.baseURLs.openai } });
    const gemini = createGeminiPool({
      apiKey: GEM,
      clientOptions: { httpOptions: { baseUrl: emu.baseURLs.gemini } },
    });
    const mistral = createMistralPool({ apiKey: MIS, clientOptions: { serverURL: emu.baseURLs.mistral } });

    const sdkAnswer = await openai.client.chat.completions.create({ model: 'gpt-4o-mini', messages: hello });
    expect(sdkAnswer.choices[0]?.message.content).toBeTruthy();
    const geminiAnswer = await gemini.chat({ model: 'gemini-2.5-flash', messages: hello });
    const mistralAnswer = await mistral.chat({ model: 'mistral-small-latest', messages: hello });
    expect(geminiAnswer.text.length).toBeGreaterThan(0);
    expect(mistralAnswer.text.length).toBeGreaterThan(0);

    for (const pool of [openai, gemini, mistral]) {
      const [only, ...others] = await pool.snapshot();
      expect(others).toEqual([]);
      expect(only).toMatchObject({ id: 'apiKey', status: 'active', counts: { requests: 1, successes: 1 } });
      const shown = JSON.stringify(await pool.snapshot());
      for (const secret of SECRETS) expect(shown).not.toContain(secret);
    }
    // The emulator saw each secret in its own provider's header: the key reached the wire as given.
    expect(emu.requestsFor(OAI)).toHaveLength(1);
    expect(emu.requestsFor(GEM)).toHaveLength(1);
    expect(emu.requestsFor(MIS)).toHaveLength(1);
  });

  it('a revoked single key is disabled and the chain answers from the next provider', async () => {
    const anthropic = createAnthropicPool({
      apiKey: ANT_REVOKED,
      clientOptions: { baseURL: emu.baseURLs.anthropic },
    });
    const openai = createOpenAIPool({ apiKey: OAI, clientOptions: { baseURL: emu.baseURLs.openai } });
    const chain = createFallbackChain([
      { pool: anthropic, model: 'claude-sonnet-4-5' },
      { pool: openai, model: 'gpt-4o-mini' },
    ]);
    const answer = await chain.chat({ model: 'chain', messages: hello, maxTokens: 16 });
    expect(answer.provider).toBe('openai');
    const [revoked] = await anthropic.snapshot();
    expect(revoked).toMatchObject({ id: 'apiKey', status: 'disabled', category: 'auth' });
  });

  it('refuses an unset apiKey, apiKey with keys, and a key unfit for a header, naming apiKey and never the key', () => {
    const baseURL = emu.baseURLs.openai;
    const problems = [
      () => createOpenAIPool({ apiKey: undefined, clientOptions: { baseURL } }),
      () =>
        createOpenAIPool({
          apiKey: OAI,
          keys: [{ id: 'a', secret: OAI }],
          clientOptions: { baseURL },
        } as never),
      () => createMistralPool({ apiKey: `${MIS}\n` }),
      () => createAnthropicPool({ apiKey: `sk-ant-has space-${'x'.repeat(20)}` }),
    ];
    const messages = problems.map((build) => {
      try {
        build();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).message;
      }
      throw new Error('expected a ConfigError');
    });
    expect(messages[0]).toMatch(/apiKey: apiKey is undefined: is its environment variable set/);
    expect(messages[1]).toMatch(/apiKey: give keys or apiKey, not both/);
    expect(messages[2]).toMatch(/apiKey: apiKey must not start or end with whitespace/);
    expect(messages[3]).toMatch(/apiKey: apiKey holds whitespace inside it/);
    for (const message of messages) for (const secret of SECRETS) expect(message).not.toContain(secret);
  });
});
