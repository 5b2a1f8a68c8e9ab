import { Chats, type GoogleGenAI } from '@google/genai';
import { createPoolClient, type KeyPool, type PoolClientOptions, type RoutedStream } from '@keypool/core';
import { GEMINI_ROUTES } from './gemini-routes.ts';

type Models = GoogleGenAI['models'];

/** A routed stream as genai returns it: an `AsyncGenerator`, plus the `controller` that aborts it. */
async function* asGenerator<T>(stream: RoutedStream<T>): AsyncGenerator<T, void, undefined> {
  yield* stream;
}

/**
 * Builds `pool.client`: a `GoogleGenAI` whose model calls (`GEMINI_ROUTES`) run through `pool`, over `template`, a
 * client holding no real key that serves everything else. Two fixes keep it a drop-in:
 * - `models.generateContentStream` resolves to a real `AsyncGenerator` (with `next`/`return`), as genai's does, not
 *   only an async iterable;
 * - `chats.create()` sessions are built on the routed `models` (genai's `Chats` holds the `Models` it was built with,
 *   so the template's sessions would call the model with the placeholder key).
 */
export function createGeminiPoolClient(
  pool: KeyPool<GoogleGenAI>,
  template: GoogleGenAI,
  options: PoolClientOptions = {},
): GoogleGenAI {
  const routed = createPoolClient(pool, template, GEMINI_ROUTES, options);
  const routedModels = routed.models;
  const generateContentStream = async (...args: Parameters<Models['generateContentStream']>) => {
    const stream = (await routedModels.generateContentStream(...args)) as unknown as RoutedStream<unknown>;
    return Object.assign(asGenerator(stream), { controller: stream.controller });
  };
  const models = new Proxy(routedModels, {
    get(target, property) {
      return property === 'generateContentStream' ? generateContentStream : Reflect.get(target, property);
    },
  });
  const internals = template as unknown as { apiClient: ConstructorParameters<typeof Chats>[1] };
  const chats = new Chats(models, internals.apiClient);
  return new Proxy(routed, {
    get(target, property) {
      if (property === 'models') return models;
      if (property === 'chats') return chats;
      return Reflect.get(target, property);
    },
  });
}
