import { Chats, type GoogleGenAI } from '@google/genai';

/**
 * Completes the routed `GoogleGenAI` that becomes `pool.client`: genai's `Chats` holds the `Models` it was built
 * with, so `chats.create()` sessions are rebuilt on the routed `models` (the template's own sessions would call the
 * model with its placeholder key). Streams need nothing here: a routed `generateContentStream` already resolves to
 * an `AsyncGenerator` (with `next`/`return` and a `controller`), as genai's does.
 */
export function withRoutedChats(routed: GoogleGenAI, template: GoogleGenAI): GoogleGenAI {
  const internals = template as unknown as { apiClient: ConstructorParameters<typeof Chats>[1] };
  const chats = new Chats(routed.models, internals.apiClient);
  return new Proxy(routed, {
    get(target, property) {
      return property === 'chats' ? chats : Reflect.get(target, property);
    },
  });
}
