import type { GoogleGenAI } from '@google/genai';
import {
  createProviderPool,
  type KeyPoolOptions,
  type PoolClientOptions,
  type ProviderPool,
} from '@keypool/core';
import { createGeminiAdapter } from './gemini-adapter.ts';
import type { GeminiClientOptions } from './gemini-client.ts';
import { withRoutedChats } from './gemini-pool-client.ts';
import { GEMINI_ROUTES } from './gemini-routes.ts';

/** Options of a Gemini pool: every key-pool option except `adapter`, plus the options of the clients it builds. */
export interface GeminiPoolOptions extends Omit<KeyPoolOptions<GoogleGenAI>, 'adapter'> {
  /** Options of every `GoogleGenAI` client the pool builds (one per key): base URL, timeout, headers, fetch... */
  clientOptions?: GeminiClientOptions;
  /** Per-call options for calls made through `pool.client` (deadline, attempt timeout, attempts). */
  callOptions?: PoolClientOptions['callOptions'];
  /** Stream options for streams opened through `pool.client` (idle timeout, first-chunk timeout). */
  streamOptions?: PoolClientOptions['streamOptions'];
}

/**
 * A key pool over `GoogleGenAI` clients, with `client`: a drop-in `GoogleGenAI` whose model calls use the pool. Use
 * `client` like the `GoogleGenAI` you had: `models.generateContent`, `generateContentStream`, `countTokens`,
 * `embedContent`, the image calls and `chats.create()` sessions run through the pool (rotation, cooldowns, limits);
 * everything else passes through to a template client that holds no real key.
 */
export type GeminiPool = ProviderPool<GoogleGenAI>;

/** The key of the template client behind `pool.client`: never sent by a routed call, and not a real key. */
const PLACEHOLDER_KEY = 'keypool-placeholder-not-a-real-key';

/**
 * Creates a pool of Gemini keys. `pool.client` replaces `new GoogleGenAI(...)` in existing code; `pool.chat()` and
 * `pool.stream()` are the unified calls; `pool.run((client, key) => ...)` runs anything on the key the engine picks.
 *
 * @example
 * const pool = createGeminiPool({ keys: [{ id: 'a', secret: process.env.GEMINI_KEY_A! }, { id: 'b', secret: process.env.GEMINI_KEY_B! }] });
 * const response = await pool.client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello' });
 */
export function createGeminiPool(options: GeminiPoolOptions): GeminiPool {
  const { clientOptions, callOptions, streamOptions, ...poolOptions } = options;
  const adapter = createGeminiAdapter(clientOptions);
  return createProviderPool<GoogleGenAI>({
    pool: { ...poolOptions, adapter },
    template: () => adapter.createClient(PLACEHOLDER_KEY),
    routes: GEMINI_ROUTES,
    clientOptions: {
      ...(callOptions ? { callOptions } : {}),
      ...(streamOptions ? { streamOptions } : {}),
    },
    afterClient: withRoutedChats,
  });
}
