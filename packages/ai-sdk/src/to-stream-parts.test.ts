import { StreamInterruptedError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { createFallbackChain } from '@keypool/fallback';
import { createGeminiPool } from '@keypool/gemini';
import { createOpenAIPool } from '@keypool/openai';
import { streamText, type TextStreamPart, type ToolSet } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKeypoolModel, type KeypoolModelOptions } from './keypool-language-model';

const KEYS = ['sk-aisdk-restart-aaaaaaaaaaaaaaaa', 'sk-aisdk-restart-bbbbbbbbbbbbbbbb'];
const PROMPT = 'one two three four five six';
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ acceptAnyKey: true });
});
afterAll(() => emu.close());
beforeEach(() => {
  // A model whose first stream is cut after two chunks; the next one answers whole.
  emu.reset();
  emu.setModelBehaviour('gpt-cut-once', { streamCutAfterChunks: 2, streamFaultTimes: 1 });
  emu.setModelBehaviour('gemini-cut-once', { streamCutAfterChunks: 2, streamFaultTimes: 1 });
});

const keys = () => KEYS.map((secret, index) => ({ id: `k${index + 1}`, secret }));
/** OpenAI chat has no prefill: a cut answer restarts (the chain yields a `restart` event). */
const openaiChain = () =>
  createFallbackChain([
    {
      pool: createOpenAIPool({ keys: keys(), clientOptions: { baseURL: emu.baseURLs.openai } }),
      model: 'gpt-cut-once',
    },
  ]);

async function run(options: KeypoolModelOptions, chain = openaiChain()) {
  const errors: unknown[] = [];
  const result = streamText({
    model: createKeypoolModel(chain, options),
    prompt: PROMPT,
    maxRetries: 0,
    onError: ({ error }) => {
      errors.push(error);
    },
  });
  const parts: TextStreamPart<ToolSet>[] = [];
  for await (const part of result.fullStream) parts.push(part);
  return { parts, errors, text: await result.text, content: await result.content };
}

describe('@keypool/ai-sdk: a restarted answer, with the real ai package', () => {
  it("restarts: 'new-text-part' closes the discarded text part (marked) and streams the new answer as another part", async () => {
    const whole = (await openaiChain().chat({ model: '', messages: [{ role: 'user', content: PROMPT }] }))
      .text;
    emu.reset();
    emu.setModelBehaviour('gpt-cut-once', { streamCutAfterChunks: 2, streamFaultTimes: 1 });
    const { parts, errors, content } = await run({ restarts: 'new-text-part' });
    expect(errors).toEqual([]);
    const texts = parts.filter((part) => part.type.startsWith('text-'));
    const ends = texts.filter((part) => part.type === 'text-end');
    expect(ends).toHaveLength(2);
    expect(ends[0]).toMatchObject({
      providerMetadata: { keypool: { discarded: true, reason: expect.any(String) } },
    });
    expect(ends[0]?.id).not.toBe(ends[1]?.id);
    // Every delta of the first part comes before the second part starts: the restart is announced first.
    const secondStart = texts.findIndex((part) => part.type === 'text-start' && part.id === ends[1]?.id);
    expect(
      texts.slice(secondStart + 1).every((part) => part.type !== 'text-delta' || part.id === ends[1]?.id),
    ).toBe(true);
    const kept = content.filter(
      (part) =>
        part.type === 'text' && !(part.providerMetadata?.keypool as { discarded?: boolean })?.discarded,
    );
    expect(kept.map((part) => (part.type === 'text' ? part.text : ''))).toEqual([whole]);
    expect(parts.at(-1)?.type).toBe('finish');
  });

  it("restarts: 'error' (default) ends with an error part carrying the sent text, never a joined answer", async () => {
    const { parts, errors } = await run({});
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'error' });
    expect(errors).toHaveLength(1);
    expect(StreamInterruptedError.isInstance(errors[0])).toBe(true);
    const sent = parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
    expect((errors[0] as StreamInterruptedError).partialText).toBe(sent);
    expect(sent.length).toBeGreaterThan(0);
  });

  it('a model that continues a prefill needs no restart: one text part with the whole answer', async () => {
    const chain = createFallbackChain([
      {
        pool: createGeminiPool({
          keys: keys(),
          clientOptions: { httpOptions: { baseUrl: emu.baseURLs.gemini } },
        }),
        model: 'gemini-cut-once',
      },
    ]);
    const whole = (await chain.chat({ model: '', messages: [{ role: 'user', content: PROMPT }] })).text;
    emu.reset();
    emu.setModelBehaviour('gemini-cut-once', { streamCutAfterChunks: 2, streamFaultTimes: 1 });
    const { parts, errors, text } = await run({}, chain);
    expect(errors).toEqual([]);
    expect(parts.filter((part) => part.type === 'text-start')).toHaveLength(1);
    expect(text).toBe(whole);
    expect(emu.requests.filter((entry) => entry.stream).map((entry) => entry.prefill !== undefined)).toEqual([
      false,
      true,
    ]);
  });
});
