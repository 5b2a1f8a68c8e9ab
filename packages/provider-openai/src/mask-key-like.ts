import { maskSecret } from '@keypool/core';

const KEY_LIKE = /\b(?:sk-[A-Za-z0-9_-]{8,}|AIza[0-9A-Za-z_-]{20,})/g;
const KEY_QUERY = /([?&](?:key|api_key|api-key)=)[^&\s"'#]+/gi;
const BEARER = /(\bBearer\s+)[^\s"',]+/gi;

/**
 * Masks anything in a text that looks like an API key, whoever it belongs to: `sk-...` and `AIza...` tokens, a
 * `?key=` (or `api_key=`) query parameter, and `Bearer` credentials. Used on every message this package produces,
 * on top of the engine scrubbing the exact secret of the attempt.
 */
export function maskKeyLikeSecrets(text: string): string {
  if (!text.includes('sk-') && !text.includes('AIza') && !/key=|bearer/i.test(text)) return text;
  return text
    .replace(KEY_LIKE, (match) => maskSecret(match))
    .replace(KEY_QUERY, '$1***')
    .replace(BEARER, '$1***');
}
