import type { GoogleGenAI } from '@google/genai';
import {
  createProviderPool,
  type KeyPoolOptions,
  type PoolClientOptions,
  type ProviderPool,
  type RateLimitWordingTable,
  type WithApiKey,
  withWording,
} from '@keypool/core';
import { createGeminiAdapter } from './gemini-adapter.ts';
import type { GeminiClientOptions } from './gemini-client.ts';
import { geminiClientErrors } from './gemini-client-errors.ts';
import { classifyGeminiError } from './gemini-error.ts';
import { withRoutedChats } from './gemini-pool-client.ts';
import { GEMINI_ROUTES, withGeminiSignal } from './gemini-routes.ts';

/**
 * The `GoogleGenAI` resources whose every method reaches the network: a method not listed in `GEMINI_ROUTES` (model
 * listing, files, caches, batches, tunings, operations, file search stores, auth tokens) runs through the pool too,
 * with rotation and no limits of its own.
 */
const ROUTED_RESOURCES = [
  'models',
  'files',
  'caches',
  'batches',
  'tunings',
  'operations',
  'fileSearchStores',
  'authTokens',
] as const;

/** Options of a Gemini pool: every key-pool option except `adapter`, plus the options of the clients it builds. */
export interface GeminiPoolOptions extends Omit<KeyPoolOptions<GoogleGenAI>, 'adapter'> {
  /**
   * The rate-limit wording table this pool's errors are classified with (default: the provider's own, e.g.
   * `GEMINI_RATE_LIMIT_WORDING`): which 400/403/503 answers are really a rate limit or a spent quota, by code, then
   * wording. Build one with `extendRateLimitWording(GEMINI_RATE_LIMIT_WORDING, { rules: [...] })`.
   */
  rateLimitWording?: RateLimitWordingTable;
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
 * `embedContent`, the image calls, `chats.create()` sessions and every other method that reaches the network (model
 * listing, files, caches, batches...) run through the pool (rotation, cooldowns, limits). Errors are genai's own
 * (`ApiError`, fetch's `AbortError`) with a `keypool` view attached.
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
export function createGeminiPool(options: WithApiKey<GeminiPoolOptions>): GeminiPool {
  const { clientOptions, callOptions, streamOptions, rateLimitWording, ...poolOptions } = options;
  const adapter = withWording(createGeminiAdapter(clientOptions), rateLimitWording, (error, table) =>
    classifyGeminiError(error, Date.now(), table),
  );
  return createProviderPool<GoogleGenAI>({
    pool: { ...poolOptions, adapter },
    template: () => adapter.createClient(PLACEHOLDER_KEY),
    routes: GEMINI_ROUTES,
    clientOptions: {
      ...(callOptions ? { callOptions } : {}),
      ...(streamOptions ? { streamOptions } : {}),
      errors: geminiClientErrors,
      routeAll: { under: ROUTED_RESOURCES, route: { withSignal: withGeminiSignal } },
      lastKeyProperty: 'apiKey',
      // genai keeps the key in a field it marks private; it is the secret to scrub from errors.
      secretOf: (client: GoogleGenAI) => (client as unknown as { apiKey?: string }).apiKey,
    },
    afterClient: withRoutedChats,
  });
}
