import type { ChatMessage, ChatRequest } from '@keypool/core';
import { CONFORMANCE_TOOLS } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorPools } from '../test/emulator-pools';
import { createFallbackChain } from './fallback-chain';
import type { FallbackChatResult } from './fallback-result';

// A tool loop that changes provider mid-conversation: the real SDKs, the four provider packages, the emulator.
const WINDOW_MS = 1_000;
const ANT = 'sk-ant-e2e-tools-claude-0000000000001';
const OAI = 'sk-e2e-tools-openai-00000000000000002';
const GEM = 'AIzaE2eToolsGemini0000000000000000003';

let emu: Emulator;
let pools: ReturnType<typeof emulatorPools>;

beforeAll(async () => {
  emu = await startEmulator({ windowMs: WINDOW_MS, keys: { [ANT]: {}, [OAI]: {}, [GEM]: {} } });
  pools = emulatorPools(emu, WINDOW_MS);
});
afterAll(() => emu.close());

const request = (messages: ChatMessage[]): ChatRequest => ({
  model: 'replaced',
  tools: CONFORMANCE_TOOLS,
  messages,
});

describe('fallback chain with tools (real SDKs, emulator)', () => {
  it('Claude calls a tool, then fails: GPT finishes the tool loop, Gemini takes the next turn, ids kept', async () => {
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-sonnet-4-5', name: 'claude' },
      { pool: pools.openai([OAI]), model: 'gpt-4o', name: 'gpt' },
      { pool: pools.gemini([GEM]), model: 'gemini-2.5-flash', name: 'gemini' },
    ]);
    const history: ChatMessage[] = [{ role: 'user', content: 'call get_weather {"city":"Paris"}' }];

    // Turn 1 on Claude: a tool call with Claude's id.
    const first = await chain.chat(request(history));
    expect(first.served.name).toBe('claude');
    const [claudeCall] = first.toolCalls ?? [];
    expect(claudeCall).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(claudeCall?.id).toMatch(/^toolu_/);
    history.push({ role: 'assistant', content: first.text, toolCalls: first.toolCalls ?? [] });
    history.push({ role: 'tool', toolCallId: claudeCall!.id, content: '{"temperature":21}' });

    // Claude's key runs out of credit mid-conversation: GPT gets the history with Claude's tool-call id and answers
    // from the tool result (the emulator refuses a tool message whose id matches no earlier tool call).
    emu.setKeyBehaviour(ANT, { quotaExhausted: true });
    const second = await chain.chat(request(history));
    expect(second.served.name).toBe('gpt');
    expect(second.text).toBe('Tool get_weather returned: {"temperature":21}');
    expect(second.attempts.map((attempt) => [attempt.step, attempt.outcome])).toEqual([
      [0, 'failure'],
      [1, 'success'],
    ]);
    history.push({ role: 'assistant', content: second.text });

    // GPT goes down too: Gemini gets both earlier turns (Claude's call id, GPT's answer) and calls the next tool.
    emu.setKeyBehaviour(OAI, { quotaExhausted: true });
    history.push({ role: 'user', content: 'and call get_time {"zone":"CET"}' });
    const third = await chain.chat(request(history));
    expect(third.served.name).toBe('gemini');
    const [geminiCall] = third.toolCalls ?? [];
    expect(geminiCall).toMatchObject({ name: 'get_time', arguments: '{"zone":"CET"}' });
    history.push({ role: 'assistant', content: '', toolCalls: third.toolCalls ?? [] });
    history.push({ role: 'tool', toolCallId: geminiCall!.id, content: '"12:00"' });

    // Streamed, the last answer of the loop still comes from Gemini's tool result.
    let streamed = '';
    for await (const event of chain.stream(request(history)))
      if (event.type === 'delta') streamed += event.text;
    expect(streamed).toBe('Tool get_time returned: "12:00"');

    const providers = emu.requests.map((entry) => `${entry.provider}:${entry.status}`);
    expect(providers).toEqual([
      'anthropic:200',
      'anthropic:429',
      'openai:200',
      'openai:429',
      'gemini:200',
      'gemini:200',
    ]);
  });

  it("chain.stream streams the serving step's tool-call deltas, and its done carries the assembled call", async () => {
    emu.setKeyBehaviour(OAI, { quotaExhausted: false });
    emu.setKeyBehaviour(ANT, { quotaExhausted: true });
    const chain = createFallbackChain([
      { pool: pools.anthropic([ANT]), model: 'claude-sonnet-4-5', name: 'claude' },
      { pool: pools.openai([OAI]), model: 'gpt-4o', name: 'gpt' },
    ]);
    const pieces: string[] = [];
    let done: FallbackChatResult | undefined;
    for await (const event of chain.stream(
      request([{ role: 'user', content: 'call get_weather {"city":"Rome"}' }]),
    )) {
      if (event.type === 'tool_call_delta') pieces.push(event.argumentsDelta);
      if (event.type === 'done') done = event.result;
    }
    // The emulator streams the arguments in several pieces; they arrive as sent and add up to the call.
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe('{"city":"Rome"}');
    expect(done?.served.name).toBe('gpt');
    expect(done?.toolCalls).toMatchObject([{ name: 'get_weather', arguments: '{"city":"Rome"}' }]);
  });
});
