import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest, ChatResult, ChatTool, ChatToolStreamEvent } from '../chat';
import type { KeyPool } from '../key-pool';
import { type ChatToolContinuedEvent, streamChat } from '../stream-chat';

/** Options of the unified tools / media / structured-output suite. */
export interface ToolConformanceOptions {
  /** The suite's title, e.g. `@keypool/openai`. */
  name: string;
  /** Evaluated inside the tests: a pool on a target that follows the emulator's tool rules (see `planReply`). */
  pool: () => KeyPool<unknown>;
  /** A model the target serves. */
  model: string;
  /** A tool-call id in another provider's format, sent in the history to prove ids are translated (default Claude's). */
  foreignToolCallId?: string;
}

/** The tools of the suite: a weather lookup and a clock. */
export const CONFORMANCE_TOOLS: readonly ChatTool[] = [
  {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
  {
    name: 'get_time',
    description: 'The time in a zone',
    parameters: { type: 'object', properties: { zone: { type: 'string' } }, additionalProperties: false },
  },
];

/** A 1×1 PNG. */
const PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** Collects a unified stream with tools: its events, and its `done` result. */
export async function collectToolStream(
  events: AsyncIterable<ChatToolStreamEvent | ChatToolContinuedEvent>,
): Promise<{ events: (ChatToolStreamEvent | ChatToolContinuedEvent)[]; result: ChatResult }> {
  const seen: (ChatToolStreamEvent | ChatToolContinuedEvent)[] = [];
  let result: ChatResult | undefined;
  for await (const event of events) {
    seen.push(event);
    if (event.type === 'done') result = event.result;
  }
  if (!result) throw new Error('the stream ended without its done event');
  return { events: seen, result };
}

/**
 * The suite every provider package runs against the emulator through its real SDK: a two-turn tool conversation
 * (plain and streaming, with tool-call deltas), parallel calls, named and `none` tool choice, tool-call ids from
 * another provider in the history, an image as bytes, and JSON Schema output that parses.
 */
export function runToolConformance(options: ToolConformanceOptions): void {
  const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model: options.model,
    messages: [{ role: 'user', content }],
    tools: CONFORMANCE_TOOLS,
    ...extra,
  });
  const answerFrom = (request: ChatRequest, result: ChatResult, results: readonly string[]): ChatRequest => ({
    ...request,
    messages: [
      ...request.messages,
      { role: 'assistant', content: result.text, toolCalls: result.toolCalls ?? [] },
      ...(result.toolCalls ?? []).map(
        (call, index): ChatMessage => ({ role: 'tool', toolCallId: call.id, content: results[index] ?? '' }),
      ),
    ],
  });

  describe(`${options.name}: tools, media and structured output`, () => {
    it('runs a two-turn tool conversation: tool call, tool result, answer', async () => {
      const pool = options.pool();
      const first = ask('What is the weather? call get_weather {"city":"Paris"}');
      const call = await pool.chat(first);
      expect(call.finishReason).toBe('tool_calls');
      expect(call.toolCalls).toHaveLength(1);
      const [toolCall] = call.toolCalls ?? [];
      expect(toolCall?.name).toBe('get_weather');
      expect(toolCall?.id).toMatch(/\S/);
      expect(JSON.parse(toolCall?.arguments ?? '')).toEqual({ city: 'Paris' });
      const answer = await pool.chat(answerFrom(first, call, ['{"temperature":21}']));
      expect(answer.finishReason).toBe('stop');
      expect(answer.toolCalls).toBeUndefined();
      expect(answer.text).toBe('Tool get_weather returned: {"temperature":21}');
    });

    it('streams the same conversation with tool-call deltas that join to the call', async () => {
      const pool = options.pool();
      const first = ask('call get_weather {"city":"Oslo"}');
      const { events, result } = await collectToolStream(streamChat(pool, first));
      expect(result.finishReason).toBe('tool_calls');
      const [toolCall] = result.toolCalls ?? [];
      expect(JSON.parse(toolCall?.arguments ?? '')).toEqual({ city: 'Oslo' });
      const deltas = events.filter((event) => event.type === 'tool_call_delta');
      expect(deltas.length).toBeGreaterThan(0);
      for (const delta of deltas)
        expect(delta).toMatchObject({ id: toolCall?.id, name: 'get_weather', index: 0 });
      expect(deltas.map((delta) => delta.argumentsDelta).join('')).toBe(toolCall?.arguments);
      const second = await collectToolStream(
        streamChat(pool, answerFrom(first, result, ['{"temperature":-3}'])),
      );
      const text = second.events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join('');
      expect(text).toBe('Tool get_weather returned: {"temperature":-3}');
      expect(second.result.text).toBe(text);
      expect(second.result.finishReason).toBe('stop');
    });

    it('makes parallel calls with distinct ids and answers from every result', async () => {
      const pool = options.pool();
      const first = ask('call get_weather {"city":"Rome"} and call get_time {"zone":"CET"}', {
        parallelToolCalls: true,
      });
      const call = await pool.chat(first);
      expect(call.toolCalls?.map((entry) => entry.name)).toEqual(['get_weather', 'get_time']);
      expect(new Set(call.toolCalls?.map((entry) => entry.id)).size).toBe(2);
      const answer = await pool.chat(answerFrom(first, call, ['"sunny"', '"12:00"']));
      expect(answer.text).toBe('Tool get_weather returned: "sunny"; Tool get_time returned: "12:00"');
    });

    it('follows a named tool choice and toolChoice none', async () => {
      const pool = options.pool();
      const named = await pool.chat(ask('hello', { toolChoice: { name: 'get_time' } }));
      expect(named.toolCalls?.map((entry) => [entry.name, JSON.parse(entry.arguments)])).toEqual([
        ['get_time', {}],
      ]);
      const none = await pool.chat(ask('call get_time {"zone":"UTC"}', { toolChoice: 'none' }));
      expect(none.toolCalls).toBeUndefined();
      expect(none.text).toBe('Echo: call get_time {"zone":"UTC"}');
    });

    it('answers a history whose tool-call id came from another provider', async () => {
      const pool = options.pool();
      const id = options.foreignToolCallId ?? 'toolu_01A09q90qw90lq917835lq9';
      const answer = await pool.chat({
        model: options.model,
        tools: CONFORMANCE_TOOLS,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'call get_weather {"city":"Lima"}' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id, name: 'get_weather', arguments: '{"city":"Lima"}' }],
          },
          { role: 'tool', toolCallId: id, content: '{"temperature":18}' },
        ],
      });
      expect(answer.text).toBe('Tool get_weather returned: {"temperature":18}');
    });

    it('sends an image as bytes', async () => {
      const pool = options.pool();
      const answer = await pool.chat({
        model: options.model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image', data: PIXEL_PNG, mediaType: 'image/png' },
            ],
          },
        ],
      });
      expect(answer.text).toBe('Echo: What is in this picture? [1 image]');
    });

    it('returns JSON that follows a JSON Schema, plain and streamed', async () => {
      const pool = options.pool();
      const schema = {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 3 } },
        required: ['city', 'days'],
        additionalProperties: false,
      };
      const request: ChatRequest = {
        model: options.model,
        messages: [{ role: 'user', content: 'forecast' }],
        responseFormat: { type: 'json', schema, name: 'forecast' },
      };
      const plain = await pool.chat(request);
      expect(JSON.parse(plain.text)).toEqual({ city: 'Echo: forecast', days: 3 });
      const streamed = await collectToolStream(streamChat(pool, request));
      expect(JSON.parse(streamed.result.text)).toEqual({ city: 'Echo: forecast', days: 3 });
    });
  });
}
