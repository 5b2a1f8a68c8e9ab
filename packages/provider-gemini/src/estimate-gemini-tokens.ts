const DEFAULT_OUTPUT_TOKENS = 256;
const MAX_DEPTH = 8;

function textLength(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length;
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return 0;
  if (Array.isArray(value)) {
    let total = 0;
    for (const item of value) total += textLength(item, depth + 1) + 4;
    return total;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.text === 'string') return record.text.length;
  let total = 0;
  if (record.parts !== undefined) total += textLength(record.parts, depth + 1);
  if (record.functionCall !== undefined) total += JSON.stringify(record.functionCall)?.length ?? 0;
  if (record.functionResponse !== undefined) total += JSON.stringify(record.functionResponse)?.length ?? 0;
  return total;
}

/**
 * A rough token estimate of a `generateContent`-style call for tpm reservations, about four characters a token:
 * the text of `contents` and `config.systemInstruction` (binary parts are not counted), plus the output budget
 * (`config.maxOutputTokens`, else 256) when `withOutput` is set. The engine reconciles it with the real usage.
 */
export function estimateGeminiTokens(params: unknown, withOutput = true): number {
  if (typeof params !== 'object' || params === null) return 0;
  const { contents, config } = params as {
    contents?: unknown;
    config?: { systemInstruction?: unknown; maxOutputTokens?: unknown };
  };
  const characters = textLength(contents, 0) + textLength(config?.systemInstruction, 0);
  const output = typeof config?.maxOutputTokens === 'number' ? config.maxOutputTokens : DEFAULT_OUTPUT_TOKENS;
  return Math.ceil(characters / 4) + (withOutput ? output : 0);
}
