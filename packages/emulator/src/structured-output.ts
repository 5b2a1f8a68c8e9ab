import type { ModelBehaviour } from './config.ts';
import type { ChatRequest } from './provider-dialect.ts';
import { isRecord } from './provider-dialect.ts';

const MAX_DEPTH = 8;

type Schema = Record<string, unknown>;

function resolveRef(ref: unknown, root: Schema): unknown {
  if (typeof ref !== 'string') return undefined;
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (match === null) return undefined;
  const definitions = root[match[1] as string];
  return isRecord(definitions) ? definitions[decodeURIComponent(match[2] as string)] : undefined;
}

function firstType(type: unknown): unknown {
  if (!Array.isArray(type)) return type;
  return type.find((entry) => entry !== 'null') ?? type[0];
}

function sample(schema: unknown, root: Schema, text: string, depth: number): unknown {
  if (!isRecord(schema) || depth > MAX_DEPTH) return text;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.$ref !== undefined) return sample(resolveRef(schema.$ref, root), root, text, depth + 1);
  for (const combinator of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[combinator];
    if (Array.isArray(options) && options.length > 0) {
      const chosen = options.find((option) => !(isRecord(option) && option.type === 'null')) ?? options[0];
      return sample(chosen, root, text, depth + 1);
    }
  }
  switch (firstType(schema.type)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = isRecord(schema.properties) ? schema.properties : {};
      for (const [name, property] of Object.entries(properties)) {
        out[name] = sample(property, root, text, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' ? schema.minItems : 1;
      return Array.from({ length: Math.min(count, 3) }, () => sample(schema.items, root, text, depth + 1));
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return text;
  }
}

/**
 * A JSON value that fits a JSON schema (object properties filled in, first enum value, first non-null option, one
 * array item), with `text` in every string. An absent schema gives `{"echo": text}`.
 */
export function sampleJson(schema: unknown, text: string): unknown {
  if (!isRecord(schema)) return { echo: text };
  return sample(schema, schema, text, 0);
}

/**
 * The text of a structured-output answer: JSON fitting the request's schema, or the broken output the model's
 * `invalidStructuredOutput` asks for. Undefined when the request asked for no JSON and nothing is to be broken
 * (the answer stays the plain echo).
 */
export function structuredOutputText(
  request: ChatRequest,
  behaviour: ModelBehaviour | undefined,
): string | undefined {
  const echo = `Echo: ${request.lastUserText}`;
  const broken = behaviour?.invalidStructuredOutput;
  if (broken === 'schema_mismatch') return JSON.stringify({ unexpected: echo });
  if (request.structuredOutput === undefined && broken === undefined) return undefined;
  const valid = JSON.stringify(sampleJson(request.structuredOutput?.schema, echo));
  // Cutting the last character of a JSON object, array or string always leaves invalid JSON.
  return broken === 'malformed_json' ? valid.slice(0, -1) : valid;
}
