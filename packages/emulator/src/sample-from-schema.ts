/**
 * A deterministic value that follows a JSON Schema (the subset structured outputs use: `type`, `properties`,
 * `required`, `items`, `enum`, `const`, `anyOf`/`oneOf`, `minimum`, `minItems`, nullable type lists, and the OpenAPI
 * upper-case types Gemini's `responseSchema` uses). Strings are `words`; numbers the `minimum` or 1; booleans true;
 * arrays hold `minItems` items (at least one); objects hold every property.
 */
export function sampleFromSchema(schema: unknown, words: string): unknown {
  if (!schema || typeof schema !== 'object') return words;
  const node = schema as Record<string, unknown>;
  if ('const' in node) return node.const;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  const variants = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) return sampleFromSchema(variants[0], words);
  let type = node.type;
  if (Array.isArray(type)) type = type.find((entry) => entry !== 'null') ?? 'null';
  switch (typeof type === 'string' ? type.toLowerCase() : node.properties ? 'object' : 'string') {
    case 'object': {
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      const value: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(properties)) value[key] = sampleFromSchema(child, words);
      return value;
    }
    case 'array': {
      const count = Math.max(1, typeof node.minItems === 'number' ? node.minItems : 1);
      return Array.from({ length: count }, () => sampleFromSchema(node.items, words));
    }
    case 'integer':
      return typeof node.minimum === 'number' ? Math.ceil(node.minimum) : 1;
    case 'number':
      return typeof node.minimum === 'number' ? node.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return words;
  }
}
