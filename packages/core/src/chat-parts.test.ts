import { describe, expect, it } from 'vitest';
import type { ChatToolStreamPart } from './chat';
import { parseToolArguments, resolveMedia, toolNameFor, userContentText } from './chat-parts';
import { chatStreamEvents } from './chat-stream-events';
import { estimateRequestTokens, MEDIA_PART_TOKENS } from './estimate-request-tokens';
import { UnsupportedFeatureError } from './unsupported-feature-error';

describe('resolveMedia', () => {
  it('splits a data URL, encodes raw bytes, keeps other URLs', () => {
    expect(resolveMedia({ type: 'image', url: 'data:image/png;base64,iVBO' }, 'openai')).toEqual({
      kind: 'base64',
      data: 'iVBO',
      mediaType: 'image/png',
    });
    expect(
      resolveMedia(
        { type: 'document', data: new Uint8Array([37, 80, 68, 70]), mediaType: 'application/pdf' },
        'openai',
      ),
    ).toEqual({
      kind: 'base64',
      data: 'JVBERg==',
      mediaType: 'application/pdf',
    });
    expect(resolveMedia({ type: 'image', url: 'https://example.com/a.png' }, 'openai')).toEqual({
      kind: 'url',
      url: 'https://example.com/a.png',
      mediaType: undefined,
    });
  });

  it('refuses bytes without a media type, naming the provider', () => {
    const error = (() => {
      try {
        resolveMedia({ type: 'image', data: 'iVBO' }, 'anthropic');
      } catch (caught) {
        return caught;
      }
    })();
    expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('anthropic does not support image bytes without a mediaType');
  });
});

describe('tool helpers', () => {
  it('finds a tool name from the assistant call, or says why it cannot', () => {
    const messages = [
      { role: 'assistant' as const, content: '', toolCalls: [{ id: 'a', name: 'lookup', arguments: '{}' }] },
    ];
    expect(toolNameFor(messages, 'a', 'gemini')).toBe('lookup');
    expect(toolNameFor(messages, 'zz', 'gemini', 'given')).toBe('given');
    expect(() => toolNameFor(messages, 'zz', 'gemini')).toThrow(
      /toolCallId "zz" matches no assistant tool call/,
    );
  });

  it('parses tool arguments as an object only', () => {
    expect(parseToolArguments('', 'anthropic')).toEqual({});
    expect(parseToolArguments('{"a":1}', 'anthropic')).toEqual({ a: 1 });
    expect(() => parseToolArguments('[1]', 'anthropic')).toThrow(/not a JSON object/);
    expect(() => parseToolArguments('{oops', 'anthropic')).toThrow(/not JSON/);
  });

  it('joins the text parts of user content', () => {
    expect(
      userContentText([
        { type: 'text', text: 'a' },
        { type: 'image', url: 'u' },
        { type: 'text', text: 'b' },
      ]),
    ).toBe('ab');
  });
});

describe('estimateRequestTokens', () => {
  it('counts text, tool calls and schemas, and a fixed cost per media part', () => {
    const base = estimateRequestTokens({
      model: 'm',
      maxTokens: 0,
      messages: [{ role: 'user', content: 'x'.repeat(40) }],
    });
    expect(base).toBe(11);
    const withImage = estimateRequestTokens({
      model: 'm',
      maxTokens: 0,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'x'.repeat(40) },
            { type: 'image', data: 'A'.repeat(100_000), mediaType: 'image/png' },
          ],
        },
      ],
    });
    expect(withImage).toBe(base + MEDIA_PART_TOKENS);
    const withTools = estimateRequestTokens({
      model: 'm',
      maxTokens: 0,
      messages: [{ role: 'user', content: 'x'.repeat(40) }],
      tools: [{ name: 'lookup', parameters: { type: 'object' } }],
    });
    expect(withTools).toBeGreaterThan(base);
  });
});

describe('chatStreamEvents', () => {
  async function* parts(list: ChatToolStreamPart[]) {
    yield* list;
  }

  it('passes deltas through and assembles tool calls from their pieces on done', async () => {
    const usage: number[] = [];
    const events = [];
    for await (const event of chatStreamEvents(
      parts([
        { type: 'delta', text: 'Let me check. ' },
        { type: 'tool_call_delta', index: 0, id: 'c1', name: 'lookup', argumentsDelta: '{"q":' },
        { type: 'tool_call_delta', index: 1, id: 'c2', name: 'clock', argumentsDelta: '{}' },
        { type: 'tool_call_delta', index: 0, id: 'c1', name: 'lookup', argumentsDelta: '"x"}' },
        {
          type: 'done',
          finishReason: 'tool_calls',
          usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
        },
      ]),
      { provider: 'openai', model: 'gpt', keyId: 'k1', reportUsage: (total) => usage.push(total) },
    ))
      events.push(event);
    expect(events.map((event) => event.type)).toEqual([
      'delta',
      'tool_call_delta',
      'tool_call_delta',
      'tool_call_delta',
      'done',
    ]);
    expect(events.at(-1)).toEqual({
      type: 'done',
      result: {
        text: 'Let me check. ',
        toolCalls: [
          { id: 'c1', name: 'lookup', arguments: '{"q":"x"}' },
          { id: 'c2', name: 'clock', arguments: '{}' },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
        provider: 'openai',
        model: 'gpt',
        keyId: 'k1',
      },
    });
    expect(usage).toEqual([7]);
  });
});
