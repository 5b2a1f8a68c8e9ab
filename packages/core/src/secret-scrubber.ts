import { maskKeyLike } from './mask-key-like';
import { maskSecret } from './secret';

/** A function that returns a text with every known secret masked and anything key-like masked too. */
export type TextScrubber = (text: string) => string;

const PREFIX = 4;

/**
 * Builds a scrubber for a set of secrets. It masks every occurrence of each secret (longest first where secrets
 * overlap), then anything that looks like a key (`maskKeyLike`). Its cost per text grows with the text, not with the
 * number of secrets, so a pool of thousands of keys can scrub every error with all of them.
 */
export function createSecretScrubber(secrets: Iterable<string>): TextScrubber {
  const byPrefix = new Map<string, string[]>();
  for (const secret of new Set(secrets)) {
    if (typeof secret !== 'string' || secret.length < PREFIX) continue;
    const prefix = secret.slice(0, PREFIX);
    const bucket = byPrefix.get(prefix);
    if (bucket) bucket.push(secret);
    else byPrefix.set(prefix, [secret]);
  }
  for (const bucket of byPrefix.values()) bucket.sort((a, b) => b.length - a.length);
  if (byPrefix.size === 0) return maskKeyLike;
  return (text) => maskKeyLike(maskKnown(text, byPrefix));
}

function maskKnown(text: string, byPrefix: Map<string, string[]>): string {
  let out = '';
  let copiedTo = 0;
  for (let index = 0; index <= text.length - PREFIX; index++) {
    const bucket = byPrefix.get(text.slice(index, index + PREFIX));
    if (!bucket) continue;
    const secret = bucket.find((candidate) => text.startsWith(candidate, index));
    if (!secret) continue;
    out += text.slice(copiedTo, index) + maskSecret(secret);
    index += secret.length - 1;
    copiedTo = index + 1;
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}

let cached: { secrets: readonly string[]; scrubber: TextScrubber } | undefined;

/**
 * The scrubber for a list of secrets (e.g. every key of a pool) plus a few `extra` ones (e.g. the key of an attempt
 * that was removed meanwhile). The scrubber for the list is reused while the list holds the same secrets in the same
 * order, so a pool that passes its keys failure after failure builds it once.
 */
export function scrubberFor(secrets: readonly string[], ...extra: string[]): TextScrubber {
  const scrubber = cachedScrubber(secrets);
  const missing = extra.filter((secret) => !secrets.includes(secret));
  if (missing.length === 0) return scrubber;
  const more = createSecretScrubber(missing);
  return (text) => scrubber(more(text));
}

function cachedScrubber(secrets: readonly string[]): TextScrubber {
  if (
    cached &&
    cached.secrets.length === secrets.length &&
    cached.secrets.every((secret, index) => secret === secrets[index])
  ) {
    return cached.scrubber;
  }
  const scrubber = createSecretScrubber(secrets);
  cached = { secrets: [...secrets], scrubber };
  return scrubber;
}
