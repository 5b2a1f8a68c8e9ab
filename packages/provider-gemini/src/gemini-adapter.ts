import type { GoogleGenAI } from '@google/genai';
import type { ClientHooks, ProviderAdapter } from '@keypool/core';
import { geminiChat, geminiStream, geminiStreamWithTools } from './gemini-chat.ts';
import { createGeminiClient, type GeminiClientOptions } from './gemini-client.ts';
import { classifyGeminiError } from './gemini-error.ts';
import { parseGeminiRateLimitHeaders } from './gemini-rate-limit-headers.ts';
import { toGeminiRequest } from './to-gemini-request.ts';

/** The Gemini adapter: a `ProviderAdapter` over `GoogleGenAI`, plus the client of its current key. */
export interface GeminiAdapter extends ProviderAdapter<GoogleGenAI> {
  readonly provider: 'gemini';
  /**
   * The client of the key last given to `setApiKey`, built on first use and kept per key. For a single-key app; the
   * pool never uses it (it builds one client per key with `createClient`).
   */
  readonly client: GoogleGenAI;
}

/**
 * Creates the Gemini adapter. `clientOptions` (base URL, timeout, headers, fetch, API version...) apply to every
 * client it builds; each client is bound to one key, with genai's retries off and its fetch wrapped to report
 * rate-limit headers and scrub the key from errors.
 */
export function createGeminiAdapter(clientOptions: GeminiClientOptions = {}): GeminiAdapter {
  const clients = new Map<string, GoogleGenAI>();
  let currentSecret: string | undefined;
  return {
    provider: 'gemini',
    setApiKey(secret: string) {
      currentSecret = secret;
    },
    get client(): GoogleGenAI {
      if (currentSecret === undefined) throw new Error('No key set: call setApiKey(secret) first.');
      let client = clients.get(currentSecret);
      if (!client) {
        client = createGeminiClient(currentSecret, clientOptions);
        clients.set(currentSecret, client);
      }
      return client;
    },
    createClient(secret: string, hooks?: ClientHooks) {
      return createGeminiClient(secret, clientOptions, hooks);
    },
    classifyError: (error: unknown) => classifyGeminiError(error),
    parseRateLimitHeaders: (headers) => parseGeminiRateLimitHeaders(headers),
    chat: geminiChat,
    stream: geminiStream,
    streamWithTools: geminiStreamWithTools,
    validateRequest(request) {
      toGeminiRequest(request);
    },
  };
}
