import { scrubberFor, type TextScrubber } from './secret-scrubber';

const MAX_DEPTH = 8;

/**
 * A scrubbed copy of an error (or any thrown value) and everything it carries: its message and stack, every own
 * property, `headers` (a `Headers` object or a plain record), URLs with `?key=`, response and request objects, and
 * the whole `cause` chain (and `errors` of an `AggregateError`). Known secrets are masked wherever they appear and
 * anything key-like is masked too, so `util.inspect(copy)` or `JSON.stringify(copy)` shows no key. An error keeps its
 * prototype, so `instanceof` and `isInstance` checks still work on the copy. The original is not changed.
 *
 * `secrets` is the list of secrets to mask (e.g. every key of a pool), or a ready-made scrubber.
 */
export function scrubbedError<T>(raw: T, secrets: readonly string[] | TextScrubber): T {
  return scrubbedWith(raw, typeof secrets === 'function' ? secrets : scrubberFor(secrets));
}

/** `scrubbedError` with a ready-made scrubber (what the engine passes, so its bundle leaves the scrubber cache out). */
export function scrubbedWith<T>(raw: T, scrub: TextScrubber): T {
  return copy(raw, scrub, 0, new Map()) as T;
}

function copy(value: unknown, scrub: TextScrubber, depth: number, seen: Map<object, unknown>): unknown {
  if (typeof value === 'string') return scrub(value);
  if (typeof value !== 'object' || value === null) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (depth > MAX_DEPTH) return '[omitted: nested too deep]';
  const next = (inner: unknown) => copy(inner, scrub, depth + 1, seen);

  if (typeof Headers !== 'undefined' && value instanceof Headers) {
    const headers = new Headers();
    for (const [name, headerValue] of value) headers.append(name, scrub(headerValue));
    seen.set(value, headers);
    return headers;
  }
  if (typeof Response !== 'undefined' && value instanceof Response) {
    const summary = { status: value.status, statusText: value.statusText, url: scrub(value.url) };
    seen.set(value, summary);
    return Object.assign(summary, { headers: next(value.headers) });
  }
  if (typeof Request !== 'undefined' && value instanceof Request) {
    const summary = { method: value.method, url: scrub(value.url) };
    seen.set(value, summary);
    return Object.assign(summary, { headers: next(value.headers) });
  }
  if (typeof URL !== 'undefined' && value instanceof URL) return scrub(value.href);
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value)) return value;
  if (value instanceof ArrayBuffer) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(next(item));
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [key, item] of value) out.set(next(key), next(item));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    seen.set(value, out);
    for (const item of value) out.add(next(item));
    return out;
  }
  if (typeof DOMException !== 'undefined' && value instanceof DOMException)
    return copyDomException(value, next, seen);
  if (value instanceof Error) return copyError(value, next, seen);
  return copyObject(value, next, seen);
}

/**
 * A DOMException (an abort or a timeout) keeps its name and code in internal slots, so a copy made from its prototype
 * would throw on `name`: build a real one with the scrubbed message (SDKs test `error.name === 'AbortError'`).
 */
function copyDomException(
  error: DOMException,
  next: (inner: unknown) => unknown,
  seen: Map<object, unknown>,
): DOMException {
  const out = new DOMException(String(next(error.message)), error.name);
  seen.set(error, out);
  if (typeof error.stack === 'string') define(out, 'stack', next(error.stack));
  const cause = readSafely(error, 'cause');
  if (cause !== undefined) define(out, 'cause', next(cause));
  return out;
}

/** Copies an error with its prototype, every own property (enumerable or not) scrubbed, and its stack scrubbed. */
function copyError(error: Error, next: (inner: unknown) => unknown, seen: Map<object, unknown>): Error {
  const out = Object.create(Object.getPrototypeOf(error) as object) as Error;
  seen.set(error, out);
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (!descriptor) continue;
    const current = 'value' in descriptor ? descriptor.value : readSafely(error, key);
    define(out, key, typeof current === 'function' ? current : next(current), descriptor.enumerable);
  }
  if (!Object.hasOwn(out, 'stack')) {
    const stack = readSafely(error, 'stack');
    if (typeof stack === 'string') define(out, 'stack', next(stack));
  }
  if (!Object.hasOwn(out, 'message') && typeof error.message === 'string')
    define(out, 'message', next(error.message));
  return out;
}

/**
 * Copies a plain object with its prototype; any other class instance becomes a plain object of its own enumerable
 * properties (platform objects with internal slots cannot be copied faithfully, and their fields are what matters).
 */
function copyObject(value: object, next: (inner: unknown) => unknown, seen: Map<object, unknown>): object {
  const prototype = Object.getPrototypeOf(value) as object | null;
  const plain = prototype === null || prototype === Object.prototype;
  const out: Record<PropertyKey, unknown> = plain ? Object.create(prototype) : {};
  seen.set(value, out);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor?.enumerable) continue;
    const current = 'value' in descriptor ? descriptor.value : readSafely(value, key);
    out[key] = typeof current === 'function' ? undefined : next(current);
  }
  return out;
}

/** Defines a writable, configurable own property (not enumerable unless `enumerable`), as an error's own fields are. */
function define(target: object, key: PropertyKey, value: unknown, enumerable = false): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}

function readSafely(target: object, key: PropertyKey): unknown {
  try {
    return (target as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}
