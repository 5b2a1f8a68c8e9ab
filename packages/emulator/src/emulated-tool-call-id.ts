import type { ProviderName, RenderContext } from './provider-dialect.ts';

/**
 * The id of the `index`-th tool call of a response, unique per request and shaped like the provider's: OpenAI
 * `call_...`, Anthropic `toolu_...`, Gemini `call-...`, Mistral nine letters or digits.
 */
export function emulatedToolCallId(provider: ProviderName, context: RenderContext, index: number): string {
  const serial = context.requestId.slice(4);
  switch (provider) {
    case 'openai':
    case 'azure-openai':
      return `call_${serial}${index}`;
    case 'anthropic':
      return `toolu_${serial}${index}`;
    case 'gemini':
      return `call-${serial}-${index}`;
    case 'mistral':
      return `${serial.slice(-8)}${index % 10}`;
  }
}

/** A tool call's JSON arguments in up to three pieces, as streams send them. */
export function argumentFragments(json: string): string[] {
  if (json.length < 6) return [json];
  const third = Math.ceil(json.length / 3);
  return [json.slice(0, third), json.slice(third, 2 * third), json.slice(2 * third)].filter((piece) => piece);
}
