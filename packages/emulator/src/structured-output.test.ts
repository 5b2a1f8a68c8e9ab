import { describe, expect, it } from 'vitest';
import type { ChatRequest } from './provider-dialect.ts';
import { sampleJson, structuredOutputText } from './structured-output.ts';

const base: ChatRequest = {
  model: 'm',
  stream: false,
  promptText: 'hi',
  lastUserText: 'hi',
  maxTokens: undefined,
  includeUsage: false,
};

describe('sampleJson', () => {
  it('fills every property, follows $ref, anyOf and enums, one array item', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        size: { type: 'integer', minimum: 3 },
        kind: { enum: ['a', 'b'] },
        maybe: { anyOf: [{ type: 'null' }, { type: 'boolean' }] },
        tags: { type: 'array', items: { $ref: '#/$defs/Tag' } },
      },
      $defs: { Tag: { type: ['string', 'null'] } },
    };
    expect(sampleJson(schema, 'x')).toEqual({ name: 'x', size: 3, kind: 'a', maybe: true, tags: ['x'] });
  });

  it('answers {"echo": text} when no schema was given', () => {
    expect(sampleJson(undefined, 'x')).toEqual({ echo: 'x' });
  });
});

describe('structuredOutputText', () => {
  it('stays the plain echo when no JSON was asked for and nothing is to be broken', () => {
    expect(structuredOutputText(base, undefined)).toBeUndefined();
  });

  it('breaks the output as asked', () => {
    const request = { ...base, structuredOutput: { schema: { type: 'object', properties: {} } } };
    expect(structuredOutputText(request, undefined)).toBe('{}');
    expect(() =>
      JSON.parse(structuredOutputText(request, { invalidStructuredOutput: 'malformed_json' }) ?? ''),
    ).toThrow(SyntaxError);
    expect(
      JSON.parse(structuredOutputText(base, { invalidStructuredOutput: 'schema_mismatch' }) ?? ''),
    ).toEqual({
      unexpected: 'Echo: hi',
    });
  });
});
