import { maskSecret, scrubSecrets } from '@keypool/core';

const GOOGLE_API_KEY = /AIza[0-9A-Za-z_-]{8,}/g;
const SK_KEY = /\bsk-[0-9A-Za-z_-]{8,}/g;
const KEY_QUERY = /([?&](?:key|api_key|apiKey)=)[^&#\s"'\\]+/g;
const KEY_HEADER = /(x-goog-api-key["']?\s*[:=]\s*["']?)[^"',\s}]+/gi;

/**
 * Masks anything in a text that looks like an API key: Google keys (`AIza...`), `sk-...` keys, a `?key=` query
 * parameter and an `x-goog-api-key` header value. Keys the caller knows (`secrets`) are masked wherever they appear,
 * whatever their shape.
 */
export function scrubGeminiSecrets(text: string, secrets: readonly string[] = []): string {
  return scrubSecrets(text, secrets)
    .replace(GOOGLE_API_KEY, (match) => maskSecret(match))
    .replace(SK_KEY, (match) => maskSecret(match))
    .replace(KEY_QUERY, '$1***')
    .replace(KEY_HEADER, '$1***');
}
