import type OpenAI from 'openai';

/**
 * Points the template's `chat.completions` and `responses` resources at the routed client, so the SDK's helpers built
 * on `create` (`chat.completions.stream()`, `chat.completions.runTools()`, `responses.stream()`) send each of their
 * calls through the pool too. The SDK's helpers reach the API through the resource's `_client`; when a future SDK
 * stops having one, this does nothing and those helpers fail locally on the key-less template instead.
 */
export function routeOpenAIHelpers(template: OpenAI, routed: OpenAI): void {
  for (const resource of [template.chat?.completions, template.responses] as unknown[]) {
    if (typeof resource === 'object' && resource !== null && '_client' in resource) {
      Reflect.set(resource, '_client', routed);
    }
  }
}
