import { createAnthropicPool } from '@keypool/anthropic';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { ChainExhaustedError, createFallbackChain } from '@keypool/fallback';
import { createGeminiPool } from '@keypool/gemini';
import { createOpenAIPool } from '@keypool/openai';
import { generateObject, generateText, Output, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createKeypoolModel } from './keypool-language-model';

const ANT_LIMITED = 'sk-ant-aisdk-rpm-one-000000000000001';
const OAI = 'sk-aisdk-openai-healthy-0000000000002';
const GEM = 'AIzaAisdkGeminiHealthy00000000000003';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 60_000, keys: { [ANT_LIMITED]: { rpm: 1 }, [OAI]: {}, [GEM]: {} } });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const anthropic = () =>
  createAnthropicPool({
    keys: [{ id: 'claude-1', secret: ANT_LIMITED }],
    clientOptions: { baseURL: emu.baseURLs.anthropic },
    maxWaitMs: 0,
  });
const openai = () =>
  createOpenAIPool({ keys: [{ id: 'gpt-1', secret: OAI }], clientOptions: { baseURL: emu.baseURLs.openai } });
const gemini = () =>
  createGeminiPool({
    keys: [{ id: 'gemini-1', secret: GEM }],
    clientOptions: { httpOptions: { baseUrl: emu.baseURLs.gemini } },
  });

/** Claude (its only key allows one request a minute) -> GPT -> Gemini. */
function chain() {
  return createFallbackChain([
    { pool: anthropic(), model: 'claude-sonnet-4-5', name: 'claude' },
    { pool: openai(), model: 'gpt-4o', name: 'gpt' },
    { pool: gemini(), model: 'gemini-2.5-flash', name: 'gemini' },
  ]);
}

const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, temperature: 21 }),
});

describe('@keypool/ai-sdk with the real ai package', () => {
  it('generateText with tools over a chain whose primary is rate limited: GPT runs the tool loop', async () => {
    // Another process spends the primary's one request of this minute.
    await anthropic().chat({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
    const calls: unknown[] = [];
    const result = await generateText({
      model: createKeypoolModel(chain()),
      tools: {
        get_weather: tool({
          ...weather,
          execute: async (input) => {
            calls.push(input);
            return { city: input.city, temperature: 21 };
          },
        }),
      },
      prompt: 'call get_weather {"city":"Paris"}',
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(calls).toEqual([{ city: 'Paris' }]);
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.toolCalls.map((call) => [call.toolName, call.input])).toEqual([
      ['get_weather', { city: 'Paris' }],
    ]);
    expect(result.text).toBe('Tool get_weather returned: {"city":"Paris","temperature":21}');
    expect(result.providerMetadata?.keypool).toMatchObject({
      provider: 'openai',
      stepName: 'gpt',
      step: 1,
      keyId: 'gpt-1',
      maskedKey: 'sk-a...0002',
    });
    expect(JSON.stringify(result.providerMetadata)).not.toContain(OAI);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('streamText over a pool runs a multi-step tool loop with streamed tool input', async () => {
    const result = streamText({
      model: createKeypoolModel(openai(), { modelId: 'gpt-4o' }),
      tools: { get_weather: weather },
      prompt: 'call get_weather {"city":"Oslo"}',
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    const parts: string[] = [];
    for await (const part of result.fullStream) parts.push(part.type);
    expect(parts).toContain('tool-input-delta');
    expect(parts).toContain('tool-call');
    expect(parts).toContain('tool-result');
    expect(await result.text).toBe('Tool get_weather returned: {"city":"Oslo","temperature":21}');
    expect((await result.providerMetadata)?.keypool).toMatchObject({ provider: 'openai', keyId: 'gpt-1' });
  });

  it('streamText over a chain streams the fallback step and names it', async () => {
    await anthropic().chat({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
    const result = streamText({ model: createKeypoolModel(chain()), prompt: 'stream me', maxRetries: 0 });
    const chunks: string[] = [];
    for await (const text of result.textStream) chunks.push(text);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe('Echo: stream me');
    expect((await result.providerMetadata)?.keypool).toMatchObject({ stepName: 'gpt', provider: 'openai' });
  });

  it('streamText with tools over a chain whose primary is rate limited runs the tool loop on GPT', async () => {
    await anthropic().chat({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
    const result = streamText({
      model: createKeypoolModel(chain()),
      tools: { get_weather: weather },
      prompt: 'call get_weather {"city":"Lima"}',
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);
    // The chain streams the tool call's arguments and the answer's text in the pieces the serving step sends, as a
    // pool does (the emulator sends both in several pieces), not as one replayed whole.
    expect(types.filter((type) => type === 'tool-input-delta').length).toBeGreaterThan(1);
    expect(types.filter((type) => type === 'text-delta').length).toBeGreaterThan(1);
    expect(types.indexOf('tool-input-delta')).toBeLessThan(types.indexOf('tool-call'));
    expect(types).toContain('tool-result');
    expect(await result.text).toBe('Tool get_weather returned: {"city":"Lima","temperature":21}');
    expect((await result.steps).map((step) => step.providerMetadata?.keypool?.stepName)).toEqual([
      'gpt',
      'gpt',
    ]);
  });

  it('generateObject with a zod schema returns the parsed object', async () => {
    const { object, providerMetadata } = await generateObject({
      model: createKeypoolModel(chain()),
      schema: z.object({ city: z.string(), days: z.number().int().min(3), sunny: z.boolean() }),
      prompt: 'forecast',
      maxRetries: 0,
    });
    expect(object).toEqual({ city: 'Echo: forecast', days: 3, sunny: true });
    expect(providerMetadata?.keypool).toMatchObject({ stepName: 'claude', provider: 'anthropic' });
  });

  it('generateText with Output.object on Gemini parses the structured output', async () => {
    const { output } = await generateText({
      model: createKeypoolModel(gemini(), { modelId: 'gemini-2.5-flash' }),
      output: Output.object({ schema: z.object({ answer: z.string() }) }),
      prompt: 'ask',
      maxRetries: 0,
    });
    expect(output).toEqual({ answer: 'Echo: ask' });
  });

  it('a call no step can serve rejects with the chain error, not a truncated answer', async () => {
    const model = createKeypoolModel(
      createFallbackChain([{ pool: anthropic(), model: 'claude-sonnet-4-5', name: 'claude' }]),
    );
    await generateText({ model, prompt: 'first', maxRetries: 0 });
    const error = await generateText({ model, prompt: 'second', maxRetries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(ChainExhaustedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/fallback chain exhausted/);
  });

  it('requires a model id for a pool', () => {
    expect(() => createKeypoolModel(openai())).toThrow(/modelId is required/);
  });
});
