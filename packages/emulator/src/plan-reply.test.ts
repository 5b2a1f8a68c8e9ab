import { describe, expect, it } from 'vitest';
import { emptyConversationFacts } from './conversation-facts.ts';
import { planReply } from './plan-reply.ts';
import { sampleFromSchema } from './sample-from-schema.ts';

const withTools = (overrides: Partial<ReturnType<typeof emptyConversationFacts>> = {}) => ({
  ...emptyConversationFacts(),
  toolNames: ['get_weather', 'get_time'],
  ...overrides,
});

describe('planReply', () => {
  it('calls each named tool with the JSON arguments the user gave, in order (parallel calls)', () => {
    const plan = planReply(
      withTools(),
      'Please call get_weather {"city":"Paris","units":{"t":"C"}} and call get_time {"zone":"CET"}',
    );
    expect(plan).toEqual({
      type: 'tool_calls',
      calls: [
        { name: 'get_weather', arguments: { city: 'Paris', units: { t: 'C' } } },
        { name: 'get_time', arguments: { zone: 'CET' } },
      ],
    });
  });

  it('ignores undeclared tools and answers in text when tools are turned off', () => {
    expect(planReply(withTools(), 'call launch_rocket {}')).toEqual({
      type: 'text',
      text: 'Echo: call launch_rocket {}',
    });
    expect(planReply(withTools({ toolChoice: 'none' }), 'call get_time')).toEqual({
      type: 'text',
      text: 'Echo: call get_time',
    });
  });

  it('a forced choice without a directive calls the first or the named tool with {}', () => {
    expect(planReply(withTools({ toolChoice: 'required' }), 'hi')).toEqual({
      type: 'tool_calls',
      calls: [{ name: 'get_weather', arguments: {} }],
    });
    expect(planReply(withTools({ toolChoice: { name: 'get_time' } }), 'call get_weather {"a":1}')).toEqual({
      type: 'tool_calls',
      calls: [{ name: 'get_time', arguments: {} }],
    });
  });

  it('answers from trailing tool results', () => {
    const facts = withTools({
      trailingToolResults: [
        { name: 'get_weather', content: '{"temperature":21}' },
        { name: 'get_time', content: '12:00' },
      ],
    });
    expect(planReply(facts, 'call get_weather')).toEqual({
      type: 'text',
      text: 'Tool get_weather returned: {"temperature":21}; Tool get_time returned: 12:00',
    });
  });

  it('answers JSON that follows the schema, and notes media in the echo', () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer', minimum: 3 },
        tags: { type: 'array', items: { enum: ['a', 'b'] } },
      },
    };
    const plan = planReply({ ...emptyConversationFacts(), json: true, jsonSchema: schema }, 'weather');
    expect(plan.type === 'text' && JSON.parse(plan.text)).toEqual({
      city: 'Echo: weather',
      days: 3,
      tags: ['a'],
    });
    expect(planReply({ ...emptyConversationFacts(), json: true }, 'x')).toEqual({
      type: 'text',
      text: '{"echo":"Echo: x"}',
    });
    expect(planReply({ ...emptyConversationFacts(), images: 2, documents: 1 }, 'look')).toEqual({
      type: 'text',
      text: 'Echo: look [2 images, 1 document]',
    });
  });

  it('samples Gemini OpenAPI types and nullable type lists', () => {
    expect(
      sampleFromSchema(
        { type: 'OBJECT', properties: { ok: { type: 'BOOLEAN' }, n: { type: ['null', 'number'] } } },
        'w',
      ),
    ).toEqual({
      ok: true,
      n: 1,
    });
  });
});
