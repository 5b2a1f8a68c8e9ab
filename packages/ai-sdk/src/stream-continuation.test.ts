import { createAnthropicPool } from '@keypool/anthropic';
import type { PoolEvent } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createKeypoolModel } from './keypool-language-model';

const ANT = ['sk-ant-aisdk-cont-a-0000000000000001', 'sk-ant-aisdk-cont-b-0000000000000002'];
const OAI = ['sk-aisdk-cont-openai-a-000000000003', 'sk-aisdk-cont-openai-b-000000000004'];
const PROMPT = 'the cat saw the cat and the cat sat on the mat near the cat';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries([...ANT, ...OAI].map((key) => [key, {}])) });
});
afterAll(() => emu.close());

const anthropic = () =>
  createAnthropicPool({
    keys: ANT.map((secret, index) => ({ id: `claude-${index + 1}`, secret })),
    clientOptions: { baseURL: emu.baseURLs.anthropic },
    strategy: 'round-robin',
  });
const openai = () =>
  createOpenAIPool({
    keys: OAI.map((secret, index) => ({ id: `gpt-${index + 1}`, secret })),
    clientOptions: { baseURL: emu.baseURLs.openai },
    strategy: 'round-robin',
  });

const streamsOf = (model: string) => emu.requests.filter((entry) => entry.model === model && entry.stream);

describe('@keypool/ai-sdk over a pool: streams that survive (streamChat continuation, real ai package)', () => {
  it('a cut in text is continued by prefill on the other key: streamText reads the intended answer once', async () => {
    const model = 'claude-haiku-4-5-cut-text';
    const intended = (
      await generateText({
        model: createKeypoolModel(anthropic(), { modelId: model }),
        prompt: PROMPT,
        maxRetries: 0,
      })
    ).text;
    emu.setModelBehaviour(model, { streamCutAfterChunks: 3, streamFaultTimes: 1 });
    const pool = anthropic();
    const poolEvents: string[] = [];
    pool.onAny((event: PoolEvent) => {
      if (event.type.startsWith('stream.')) poolEvents.push(event.type);
    });
    const result = streamText({
      model: createKeypoolModel(pool, { modelId: model }),
      prompt: PROMPT,
      maxRetries: 0,
    });
    const types: string[] = [];
    let text = '';
    for await (const part of result.fullStream) {
      types.push(part.type);
      if (part.type === 'text-delta') text += part.text;
    }
    expect(types).not.toContain('error');
    expect(text).toBe(intended);
    expect(await result.text).toBe(intended);
    // The continuation request carried the text already shown as an assistant prefill, on the other key.
    const streams = streamsOf(model);
    expect(streams).toHaveLength(2);
    expect(streams[0]?.prefill).toBeUndefined();
    expect(streams[1]?.prefill?.length).toBeGreaterThan(0);
    expect(intended.startsWith(streams[1]?.prefill ?? '?')).toBe(true);
    expect(poolEvents).toEqual(['stream.interrupted', 'stream.continued']);
    const keypool = (await result.providerMetadata)?.keypool as { continued?: unknown[]; keyId?: string };
    expect(keypool.continued).toMatchObject([
      { how: 'prefill', from: { keyId: 'claude-1' }, to: { keyId: 'claude-2' } },
    ]);
    expect(JSON.stringify(keypool)).not.toContain(ANT[0]);
  });

  it('a cut inside a tool call restarts it (never continues half-written JSON): the tool loop runs once, whole', async () => {
    const model = 'gpt-4o-cut-tool';
    const calls: unknown[] = [];
    const weather = tool({
      description: 'The weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async (input) => {
        calls.push(input);
        return { city: input.city, temperature: 21 };
      },
    });
    // Chunk 1 opens the call (id and name), the next ones carry its arguments: the cut lands inside the JSON.
    emu.setModelBehaviour(model, { streamCutAfterChunks: 2, streamFaultTimes: 1 });
    const pool = openai();
    const restarts: PoolEvent[] = [];
    pool.on('stream.restarted', (event) => restarts.push({ type: 'stream.restarted', ...event }));
    const result = streamText({
      model: createKeypoolModel(pool, { modelId: model }),
      tools: { get_weather: weather },
      prompt: 'call get_weather {"city":"Paris"}',
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    const parts: { type: string; discarded?: boolean }[] = [];
    for await (const part of result.fullStream) {
      const metadata = (part as { providerMetadata?: { keypool?: { discarded?: boolean } } })
        .providerMetadata;
      parts.push({ type: part.type, ...(metadata?.keypool?.discarded ? { discarded: true } : {}) });
    }
    expect(parts.map((part) => part.type)).not.toContain('error');
    expect(calls).toEqual([{ city: 'Paris' }]);
    expect(await result.text).toBe('Tool get_weather returned: {"city":"Paris","temperature":21}');
    // The half-written input was ended as discarded before the restarted call streamed again.
    const discarded = parts.findIndex((part) => part.type === 'tool-input-end' && part.discarded);
    expect(discarded).toBeGreaterThan(parts.findIndex((part) => part.type === 'tool-input-delta'));
    expect(parts.slice(discarded + 1).map((part) => part.type)).toContain('tool-input-start');
    expect(restarts).toHaveLength(1);
    // First step: the cut stream, then the restart without a prefill; second step: the answer after the tool.
    const streams = streamsOf(model);
    expect(streams.map((entry) => entry.prefill)).toEqual([undefined, undefined, undefined]);
    const steps = await result.steps;
    expect(steps[0]?.providerMetadata?.keypool).toMatchObject({
      continued: [{ how: 'restart', from: { keyId: 'gpt-1' }, to: { keyId: 'gpt-2' } }],
    });
  });
});
