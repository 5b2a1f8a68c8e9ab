import { maskSecret } from './secret';

/** `sk-...` keys (OpenAI, Anthropic and many compatible hosts). */
const SK_KEY = /\bsk-[A-Za-z0-9_-]{8,}/g;
/** Google API keys. */
const GOOGLE_KEY = /AIza[0-9A-Za-z_-]{8,}/g;
/** A bare 32-character token mixing lower case, upper case and digits: the shape of a Mistral key. */
const BARE_TOKEN = /\b(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{32}\b/g;
/** A key in a query string: `?key=...`, `&api_key=...`. */
const KEY_QUERY = /([?&](?:key|api_key|api-key|apikey)=)[^&#\s"'\\]+/gi;
/** A bearer credential. */
const BEARER = /(\bBearer\s+)[^\s"',\\]+/gi;
/** A key header written out as text: `x-api-key: ...`, `"x-goog-api-key":"..."`. */
const KEY_HEADER = /((?:x-goog-api-key|x-api-key|api-key)["']?\s*[:=]\s*["']?)[^"',\s}\\]+/gi;

/** A quick test that a text may hold something key-like, so most texts skip the regular expressions. */
const MAYBE = /sk-|AIza|key|bearer|[A-Za-z0-9]{32}/i;

/**
 * Masks anything in a text that looks like an API key, whoever it belongs to: `sk-...` and `AIza...` tokens, bare
 * 32-character mixed-case tokens (Mistral's shape), `?key=` query parameters, `Bearer` credentials and key headers
 * written as text. Used on provider text and on user-given text (ids, references, URLs) before either is shown.
 */
export function maskKeyLike(text: string): string {
  if (!MAYBE.test(text)) return text;
  return text
    .replace(SK_KEY, (match) => maskSecret(match))
    .replace(GOOGLE_KEY, (match) => maskSecret(match))
    .replace(BARE_TOKEN, (match) => maskSecret(match))
    .replace(KEY_QUERY, '$1***')
    .replace(BEARER, '$1***')
    .replace(KEY_HEADER, '$1***');
}
