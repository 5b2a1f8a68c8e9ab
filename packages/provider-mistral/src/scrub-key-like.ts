import { maskSecret, scrubSecrets } from '@keypool/core';

// Mistral keys are 32 letters and digits with no prefix; other providers' keys leak through proxies and logs too.
const KEY_LIKE = [
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /(?<=[?&]key=)[^&#\s"']+/g,
  /(?<=\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(?=[A-Za-z0-9]*[a-z])(?=[A-Za-z0-9]*[A-Z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{32}\b/g,
];

/**
 * Masks anything in `text` that looks like an API key: `sk-...`, `AIza...`, a `?key=` query parameter, a bearer
 * token, and a bare 32-character mixed-case alphanumeric token (the shape of a Mistral key), plus every secret
 * given. Pure; used on every message before it leaves the package.
 */
export function scrubKeyLike(text: string, secrets: readonly string[] = []): string {
  let out = scrubSecrets(text, secrets);
  for (const pattern of KEY_LIKE) out = out.replace(pattern, (match) => maskSecret(match));
  return out;
}
