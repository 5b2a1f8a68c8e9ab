const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface Dispatcher {
  dispatch(options: Record<string, unknown>, handler: unknown): boolean;
}

let shared: Dispatcher | null | undefined;

/**
 * On Node, the dispatcher genai itself adds to every request when no custom `fetch` is set: it delegates to Node's
 * global Undici dispatcher with Undici's own 300 s header/body timeouts turned off, so a long generation is bounded
 * only by the configured timeout. genai skips it once a custom `fetch` is given; Keypool's fetch wrapper adds it back
 * so that wrapping changes nothing. Undefined on other runtimes. No import: it reads Node's global dispatcher.
 */
export function undiciNoTimeoutDispatcher(): Dispatcher | undefined {
  if (shared !== undefined) return shared ?? undefined;
  const process = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  if (typeof process?.versions?.node !== 'string') {
    shared = null;
    return undefined;
  }
  shared = {
    dispatch(options, handler) {
      let global = (globalThis as Record<symbol, Dispatcher | undefined>)[GLOBAL_DISPATCHER];
      if (!global && typeof Headers !== 'undefined') {
        new Headers();
        global = (globalThis as Record<symbol, Dispatcher | undefined>)[GLOBAL_DISPATCHER];
      }
      if (!global || typeof global.dispatch !== 'function') {
        throw new Error('Undici globalDispatcher is not available.');
      }
      return global.dispatch({ ...options, headersTimeout: 0, bodyTimeout: 0 }, handler);
    },
  };
  return shared;
}
