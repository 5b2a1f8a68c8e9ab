/**
 * Context windows (input + output tokens a model accepts in one request) of the four providers' current models, as
 * the providers publish them. Keys are model ids or id prefixes: a dated or suffixed id (`gpt-4o-2024-08-06`,
 * `claude-sonnet-4-5-20250929`, `mistral-large-2411`) finds the longest key it starts with, followed by `-`, `:`,
 * `@` or nothing. Override or extend it per call site (see {@link contextWindowOf}) when a provider changes a window
 * or for models not listed.
 */
export const CONTEXT_WINDOWS: Readonly<Record<string, number>> = /* @__PURE__ */ Object.freeze({
  // OpenAI
  'gpt-5': 400_000,
  'gpt-5-mini': 400_000,
  'gpt-5-nano': 400_000,
  'gpt-5-chat-latest': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  'chatgpt-4o-latest': 128_000,
  'gpt-4-turbo': 128_000,
  'gpt-4': 8_192,
  'gpt-3.5-turbo': 16_385,
  o1: 200_000,
  'o1-mini': 128_000,
  o3: 200_000,
  'o3-mini': 200_000,
  'o3-pro': 200_000,
  'o4-mini': 200_000,
  // Anthropic
  'claude-opus-4': 200_000,
  'claude-opus-4-1': 200_000,
  'claude-opus-4-5': 200_000,
  'claude-sonnet-4': 200_000,
  'claude-sonnet-4-5': 200_000,
  'claude-sonnet-4-6': 200_000,
  'claude-haiku-4-5': 200_000,
  'claude-3-7-sonnet': 200_000,
  'claude-3-5-sonnet': 200_000,
  'claude-3-5-haiku': 200_000,
  'claude-3-opus': 200_000,
  'claude-3-haiku': 200_000,
  // Google Gemini
  'gemini-2.5-pro': 1_048_576,
  'gemini-2.5-flash': 1_048_576,
  'gemini-2.5-flash-lite': 1_048_576,
  'gemini-2.0-flash': 1_048_576,
  'gemini-2.0-flash-lite': 1_048_576,
  'gemini-1.5-pro': 2_097_152,
  'gemini-1.5-flash': 1_048_576,
  'gemini-1.5-flash-8b': 1_048_576,
  // Mistral
  'mistral-large': 131_072,
  'mistral-medium': 131_072,
  'mistral-small': 131_072,
  'magistral-medium': 40_000,
  'magistral-small': 40_000,
  codestral: 256_000,
  'devstral-small': 131_072,
  'devstral-medium': 131_072,
  'ministral-8b': 131_072,
  'ministral-3b': 131_072,
  'open-mistral-nemo': 131_072,
  'pixtral-large': 131_072,
  'pixtral-12b': 131_072,
});

const SEPARATORS = new Set(['-', ':', '@']);

/**
 * The context window of `model` in tokens, or undefined when it is not known. `overrides` (model id or prefix ->
 * tokens) win over the built-in {@link CONTEXT_WINDOWS}; both are searched the same way: the exact id, else the
 * longest key the id starts with followed by `-`, `:` or `@` (`gpt-4o-2024-08-06` -> `gpt-4o`, never `gpt-4`).
 * A `models/` prefix (Gemini's resource names) is ignored.
 */
export function contextWindowOf(
  model: string,
  overrides?: Readonly<Record<string, number>>,
): number | undefined {
  const id = model.startsWith('models/') ? model.slice('models/'.length) : model;
  if (overrides) {
    const own = lookup(id, overrides);
    if (own !== undefined) return own;
  }
  return lookup(id, CONTEXT_WINDOWS);
}

function lookup(id: string, table: Readonly<Record<string, number>>): number | undefined {
  const exact = table[id];
  if (exact !== undefined) return exact;
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (id.length > key.length && id.startsWith(key) && SEPARATORS.has(id.charAt(key.length))) {
      if (best === undefined || key.length > best.length) best = key;
    }
  }
  return best === undefined ? undefined : table[best];
}
