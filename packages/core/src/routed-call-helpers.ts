import { scrubSdkError } from './client-error';
import type { PoolClientOptions } from './pool-client';

/** The SDK error with the client's secret scrubbed from it (message, headers, body, cause). */
export function scrubbed(error: unknown, client: object, options: PoolClientOptions): unknown {
  const secret = options.secretOf?.(client as never);
  return secret ? scrubSdkError(error, [secret]) : error;
}

/** The method at a dotted path of a client (`chat.completions.create`) and the object it belongs to. */
export function resolvePath(client: object, path: string): { owner: unknown; fn: unknown } {
  const parts = path.split('.');
  let owner: unknown = client;
  for (const part of parts.slice(0, -1)) owner = (owner as Record<string, unknown>)[part];
  const fn = (owner as Record<string, unknown>)[parts.at(-1)!];
  if (typeof fn !== 'function') throw new TypeError(`${path} is not a function on this client`);
  return { owner, fn };
}

/** The caller's abort signal among a call's arguments (`signal`, `abortSignal` or `config.abortSignal`). */
export function findSignal(args: readonly unknown[]): AbortSignal | undefined {
  for (const arg of args) {
    if (arg && typeof arg === 'object') {
      const candidate = arg as {
        signal?: unknown;
        abortSignal?: unknown;
        config?: { abortSignal?: unknown };
      };
      if (candidate.signal instanceof AbortSignal) return candidate.signal;
      if (candidate.abortSignal instanceof AbortSignal) return candidate.abortSignal;
      if (candidate.config?.abortSignal instanceof AbortSignal) return candidate.config.abortSignal;
    }
  }
  return undefined;
}

/** The model a routed call names (its first argument's `model`), so the pool applies that model scope's state. */
export function modelOption(args: readonly unknown[]): { model?: string } {
  const params = args[0];
  if (params && typeof params === 'object' && typeof (params as { model?: unknown }).model === 'string')
    return { model: (params as { model: string }).model };
  return {};
}
