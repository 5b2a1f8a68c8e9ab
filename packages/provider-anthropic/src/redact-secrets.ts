import { scrubSecrets } from '@keypool/core';

/** Anything shaped like an API key: Anthropic/OpenAI `sk-...`, Google `AIza...`, and `key=` query parameters. */
const KEY_LIKE = /\b(sk-[A-Za-z0-9_-]{8,}|AIza[0-9A-Za-z_-]{20,})|([?&](?:api_?)?key=)[^&\s"']+/g;

/**
 * Removes secrets from a text: the given secrets are replaced by their masked form, and anything else that looks like
 * an API key (`sk-...`, `AIza...`, a `?key=` parameter) is masked too, so no message or URL ever carries a key.
 */
export function redactSecrets(text: string, secrets: Iterable<string> = []): string {
  const scrubbed = scrubSecrets(text, secrets);
  return scrubbed.replace(KEY_LIKE, (_match, key: string | undefined, parameter: string | undefined) =>
    key !== undefined ? maskKeyLike(key) : `${parameter}***`,
  );
}

function maskKeyLike(key: string): string {
  return `${key.slice(0, 4)}...${key.slice(-4)}`;
}
