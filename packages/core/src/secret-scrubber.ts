import { maskKeyLike } from './mask-key-like';
import { maskSecret } from './secret';

/** A function that returns a text with every known secret masked and anything key-like masked too. */
export type TextScrubber = (text: string) => string;

/** The length of the window of each secret that is indexed. */
const WINDOW = 8;
/** Where the window starts in a secret: past the shared prefixes (`sk-proj-`, `AIzaSy`, `sk-ant-api03-`). */
const WINDOW_OFFSET = 16;

/** Secrets whose window starts at the same offset, by their window. */
interface WindowGroup {
  offset: number;
  byWindow: Map<string, string[]>;
}

/**
 * Builds a scrubber for a set of secrets. It masks every occurrence of each secret (longest first where secrets
 * overlap), then anything that looks like a key (`maskKeyLike`). Each secret is indexed by an 8-character window
 * taken past the prefixes keys share, so the cost per text grows with the text, not with the number of secrets:
 * a pool of thousands of keys can scrub every error with all of them.
 */
export function createSecretScrubber(secrets: Iterable<string>): TextScrubber {
  const groups = new Map<number, WindowGroup>();
  const short: string[] = [];
  for (const secret of new Set(secrets)) {
    if (typeof secret !== 'string' || secret.length < 4) continue;
    if (secret.length < WINDOW) {
      short.push(secret);
      continue;
    }
    const offset = Math.min(WINDOW_OFFSET, secret.length - WINDOW);
    let group = groups.get(offset);
    if (!group) {
      group = { offset, byWindow: new Map() };
      groups.set(offset, group);
    }
    const window = secret.slice(offset, offset + WINDOW);
    const bucket = group.byWindow.get(window);
    if (bucket) bucket.push(secret);
    else group.byWindow.set(window, [secret]);
  }
  const list = [...groups.values()];
  for (const group of list)
    for (const bucket of group.byWindow.values()) bucket.sort((a, b) => b.length - a.length);
  short.sort((a, b) => b.length - a.length);
  if (list.length === 0 && short.length === 0) return maskKeyLike;
  return (text) => maskKeyLike(maskShort(maskIndexed(text, list), short));
}

function maskIndexed(text: string, groups: readonly WindowGroup[]): string {
  if (groups.length === 0) return text;
  let out = '';
  let copiedTo = 0;
  for (let index = 0; index <= text.length - WINDOW; index++) {
    const window = text.slice(index, index + WINDOW);
    for (const group of groups) {
      const start = index - group.offset;
      if (start < copiedTo) continue;
      const secret = group.byWindow.get(window)?.find((candidate) => text.startsWith(candidate, start));
      if (!secret) continue;
      out += text.slice(copiedTo, start) + maskSecret(secret);
      copiedTo = start + secret.length;
      index = copiedTo - 1;
      break;
    }
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}

function maskShort(text: string, short: readonly string[]): string {
  let out = text;
  for (const secret of short) if (out.includes(secret)) out = out.split(secret).join(maskSecret(secret));
  return out;
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
