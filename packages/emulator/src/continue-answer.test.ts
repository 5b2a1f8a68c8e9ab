import Anthropic, { BadRequestError } from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import { MistralError } from '@mistralai/mistralai/models/errors';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourSetters, drain, rejectionOf } from '../test/helpers.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

let emu: Emulator;
const KEY = 'sk-continue-good-1111111111';
const QUESTION = 'the cat saw the cat and the cat sat';
const INTENDED = `Echo: ${QUESTION}`;

beforeAll(async () => {
  emu = await startEmulator({ keys: { [KEY]: {} } });
});
afterAll(() => emu.close());

const { modelWith } = behaviourSetters(() => emu, 'cont');

function anthropic(): Anthropic {
  return new Anthropic({ apiKey: KEY, baseURL: emu.baseURLs.anthropic, maxRetries: 0 });
}

async function anthropicText(model: string, prefill: string): Promise<string> {
  const stream = await anthropic().messages.create({
    model,
    max_tokens: 256,
    stream: true,
    messages: [
      { role: 'user', content: QUESTION },
      { role: 'assistant', content: prefill },
    ],
  });
  let text = '';
  for await (const event of stream) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
  }
  return text;
}

describe('emulator: a model that continues a prefill', () => {
  it('anthropic: continues a trailing assistant message where it ends, and logs the prefill', async () => {
    const model = modelWith({});
    expect(await anthropicText(model, 'Echo: the cat saw')).toBe(' the cat and the cat sat');
    expect(emu.requests.at(-1)).toMatchObject({ model, prefill: 'Echo: the cat saw', outcome: 'ok' });
  });

  it('prefillRepeatWords: the continuation first repeats the last words of the prefill', async () => {
    const model = modelWith({ prefillRepeatWords: 2 });
    expect(await anthropicText(model, 'Echo: the cat saw')).toBe('cat saw the cat and the cat sat');
  });

  it('rejectPrefill: a 400 in Anthropic wording, as Claude 4.6 and later answer', async () => {
    const model = modelWith({ rejectPrefill: true });
    const error = await rejectionOf(anthropicText(model, 'Echo: the cat'));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('does not support assistant message prefill');
    expect(emu.requests.at(-1)).toMatchObject({ model, status: 400, outcome: 'bad_request' });
  });

  it('anthropic: a prefill ending in whitespace is refused, as the real API does', async () => {
    const error = await rejectionOf(anthropicText(modelWith({}), 'Echo: the cat '));
    expect((error as BadRequestError).message).toContain('cannot end with trailing whitespace');
  });

  it('mistral: continues an assistant message marked prefix: true, and refuses one without it', async () => {
    const client = new Mistral({ apiKey: KEY, serverURL: emu.baseURLs.mistral });
    const model = modelWith({});
    const response = await client.chat.complete({
      model,
      messages: [
        { role: 'user', content: QUESTION },
        { role: 'assistant', content: 'Echo: the cat saw the', prefix: true },
      ],
    });
    expect(response.choices?.[0]?.message?.content).toBe(' cat and the cat sat');
    const error = await rejectionOf(
      client.chat.complete({
        model,
        messages: [
          { role: 'user', content: QUESTION },
          { role: 'assistant', content: 'Echo: the' },
        ],
      }),
    );
    expect(error).toBeInstanceOf(MistralError);
    expect((error as MistralError).body).toContain('Expected last role User or Tool');
  });

  it('gemini: continues trailing model-role content', async () => {
    const client = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: emu.baseURLs.gemini } });
    const response = await client.models.generateContent({
      model: modelWith({}),
      contents: [
        { role: 'user', parts: [{ text: QUESTION }] },
        { role: 'model', parts: [{ text: 'Echo: the cat saw the cat' }] },
      ],
    });
    expect(response.text).toBe(' and the cat sat');
  });

  it('openai: a trailing assistant message is answered as a new turn (chat completions has no prefill)', async () => {
    const client = new OpenAI({ apiKey: KEY, baseURL: emu.baseURLs.openai, maxRetries: 0 });
    const model = modelWith({});
    const completion = await client.chat.completions.create({
      model,
      messages: [
        { role: 'user', content: QUESTION },
        { role: 'assistant', content: 'Echo: the cat' },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe(INTENDED);
    expect(emu.requests.at(-1)?.prefill).toBeUndefined();
  });
});

describe('emulator: streamFaultTimes', () => {
  it('applies the stream faults to the first N streams only, then streams cleanly', async () => {
    const model = modelWith({ streamCutAfterChunks: 2, streamFaultTimes: 1 });
    const ask = () =>
      anthropic().messages.create({
        model,
        max_tokens: 256,
        stream: true,
        messages: [{ role: 'user', content: QUESTION }],
      });
    const first = await drain(await ask());
    expect(first.error).toBeDefined();
    const second = await drain(await ask());
    expect(second.error).toBeUndefined();
    expect(emu.requests.slice(-2).map((entry) => entry.outcome)).toEqual(['stream_cut', 'ok']);
  });
});
