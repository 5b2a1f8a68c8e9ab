import { ConfigError, PoolExhaustedError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOpenAICompatiblePool,
  OPENAI_COMPATIBLE_PRESETS,
  presetKeysFromEnv,
} from './openai-compatible-presets';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ windowMs: 1000 });
});
afterAll(() => emulator.close());

const GOOD = 'gsk_good-0123456789abcdefghij';
const BAD = 'gsk_revoked-0123456789abcdefgh';

describe('createOpenAICompatiblePool', () => {
  it('serves a chat through the real SDK under the preset label, in events, snapshots and errors', async () => {
    emulator.addKey(GOOD);
    emulator.addKey(BAD, { invalid: true });
    const pool = createOpenAICompatiblePool('groq', {
      keys: [
        { id: 'groq-bad', secret: BAD },
        { id: 'groq-good', secret: GOOD },
      ],
      clientOptions: { baseURL: emulator.baseURLs.openai },
      strategy: 'round-robin',
    });
    const selected: string[] = [];
    pool.on('key.selected', (event) => selected.push(`${event.provider}:${event.keyId}`));
    const completion = await pool.client.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'hi groq' }],
    });
    expect(completion.choices[0]?.message.content).toContain('hi groq');
    expect(selected).toEqual(['groq:groq-bad', 'groq:groq-good']);
    expect(pool.provider).toBe('groq');
    expect(JSON.stringify(pool.snapshot())).not.toContain(GOOD);

    const onlyBad = createOpenAICompatiblePool('groq', {
      keys: [{ id: 'groq-bad', secret: BAD }],
      clientOptions: { baseURL: emulator.baseURLs.openai },
    });
    const error = await onlyBad.client.chat.completions
      .create({ model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    // The pool's client throws the SDK's own error, with Keypool's view (labelled groq) as `error.keypool`.
    const view = (error as { keypool?: { provider: string; error: unknown } }).keypool;
    expect(view?.provider).toBe('groq');
    expect(PoolExhaustedError.isInstance(view?.error)).toBe(true);
    expect((view?.error as Error | undefined)?.message).toMatch(/^groq pool exhausted \(no_usable_key\)/);
    expect(JSON.stringify(view)).not.toContain(BAD);
    expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain(BAD);
  });

  it('reads the keys from the preset environment variables when none are given', async () => {
    const secret = 'sk-deepseek-env-0123456789abcdef';
    emulator.addKey(secret);
    const pool = createOpenAICompatiblePool('deepseek', {
      env: { DEEPSEEK_API_KEY: ` ${secret} ` },
      clientOptions: { baseURL: emulator.baseURLs.openai },
    });
    expect(pool.snapshot().map((key) => key.id)).toEqual(['env:DEEPSEEK_API_KEY']);
    const completion = await pool.client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'hello deepseek' }],
    });
    expect(completion.choices[0]?.message.content).toContain('hello deepseek');
  });

  it('takes one key as apiKey (id "apiKey") instead of the environment, and refuses it with keys', async () => {
    emulator.addKey(GOOD);
    const pool = createOpenAICompatiblePool('deepseek', {
      apiKey: GOOD,
      env: { DEEPSEEK_API_KEY: BAD },
      clientOptions: { baseURL: emulator.baseURLs.openai },
    });
    const completion = await pool.client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'hi deepseek' }],
    });
    expect(completion.choices[0]?.message.content).toContain('hi deepseek');
    expect(pool.snapshot().map((key) => [key.id, key.counts.successes])).toEqual([['apiKey', 1]]);
    expect(() =>
      createOpenAICompatiblePool('deepseek', { apiKey: GOOD, keys: [{ id: 'a', secret: BAD }] }),
    ).toThrow(/apiKey: give keys or apiKey, not both/);
    expect(() => createOpenAICompatiblePool('deepseek', { apiKey: undefined, env: {} })).toThrow(
      /apiKey: apiKey is undefined/,
    );
  });

  it('points each preset at its own base URL and names its variables', () => {
    expect(Object.keys(OPENAI_COMPATIBLE_PRESETS)).toEqual([
      'deepseek',
      'groq',
      'openrouter',
      'together',
      'fireworks',
      'xai',
      'cerebras',
      'perplexity',
    ]);
    for (const [name, preset] of Object.entries(OPENAI_COMPATIBLE_PRESETS)) {
      expect(preset.provider).toBe(name);
      expect(preset.baseURL).toMatch(/^https:\/\/[a-z0-9.-]+(\/|$)/);
      const pool = createOpenAICompatiblePool(name as keyof typeof OPENAI_COMPATIBLE_PRESETS, {
        keys: [{ id: 'k', secret: 'sk-placeholder-0123456789' }],
      });
      expect(pool.client.baseURL).toBe(preset.baseURL);
      expect(pool.provider).toBe(name);
    }
  });

  it('rejects an unknown preset and a pool without keys, with clear ConfigErrors', () => {
    const unknown = (() => {
      try {
        createOpenAICompatiblePool('grok' as 'groq', { keys: [{ id: 'k', secret: 'sk-x-0123456789' }] });
      } catch (error) {
        return error;
      }
    })();
    expect(ConfigError.isInstance(unknown)).toBe(true);
    expect((unknown as Error).message).toBe(
      'Invalid OpenAI-compatible preset: preset: unknown preset "grok"; known: deepseek, groq, openrouter, together, fireworks, xai, cerebras, perplexity',
    );
    expect(() => createOpenAICompatiblePool('xai', { env: {} })).toThrow(
      'Invalid xai pool options: keys: no keys given and none in XAI_API_KEY (or their _2.._N and S forms)',
    );
  });
});

describe('presetKeysFromEnv', () => {
  it('reads plain, numbered and list variables of every name, in order, once per secret', () => {
    const keys = presetKeysFromEnv(OPENAI_COMPATIBLE_PRESETS.perplexity, {
      PERPLEXITY_API_KEY_10: 'p10',
      PERPLEXITY_API_KEY_2: 'p2',
      PERPLEXITY_API_KEY: 'p0',
      PERPLEXITY_API_KEYS: 'l1, p0',
      PPLX_API_KEY: 'x0',
    });
    expect(keys.map((key) => `${key.id}=${key.secret}`)).toEqual([
      'env:PERPLEXITY_API_KEY=p0',
      'env:PERPLEXITY_API_KEY_2=p2',
      'env:PERPLEXITY_API_KEY_10=p10',
      'env:PERPLEXITY_API_KEYS#1=l1',
      'env:PPLX_API_KEY=x0',
    ]);
  });

  it('rejects a blank value or one with whitespace inside, naming the variable and never the value', () => {
    let caught: unknown;
    try {
      presetKeysFromEnv(OPENAI_COMPATIBLE_PRESETS.groq, {
        GROQ_API_KEY: 'gsk_first-half gsk_second-half',
        GROQ_API_KEYS: 'gsk_ok-123456,,',
      });
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    const error = caught as ConfigError;
    expect(error.issues).toEqual([
      { path: 'GROQ_API_KEY', message: 'key "env:GROQ_API_KEY": the secret holds whitespace inside it' },
      { path: 'GROQ_API_KEYS', message: 'is set but empty' },
      { path: 'GROQ_API_KEYS', message: 'is set but empty' },
    ]);
    expect(error.message).not.toContain('half');
  });
});
