/**
 * Which upstream answers one logical call saw, for contenders that run in this process: every SDK is given a `fetch`
 * that records each response's status in the call's AsyncLocalStorage context. For the gateway, whose upstream
 * requests leave another process, the recorder reads the gateway's own response headers instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface UpstreamAttempt {
  provider: 'openai' | 'anthropic' | 'other';
  status: number;
}

export interface CallTrace {
  statuses: number[];
  /** Each upstream answer with the provider it came from (by URL), for contenders that run in this process. */
  attempts: UpstreamAttempt[];
  /** Set by the gateway's fetch: the gateway reported a retry or a fallback inside the call. */
  gatewayRetried?: boolean;
}

const storage = new AsyncLocalStorage<CallTrace>();

/** Runs `run` with `trace` as the current call's trace: the fetches below record into it. */
export function traced<T>(trace: CallTrace, run: () => Promise<T>): Promise<T> {
  return storage.run(trace, run);
}

/** A fetch that records each response status into the current call's trace. */
export function tracingFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    const trace = storage.getStore();
    if (trace !== undefined) {
      trace.statuses.push(response.status);
      trace.attempts.push({ provider: providerOf(urlOf(input)), status: response.status });
    }
    return response;
  };
}

/**
 * A fetch for clients of the Portkey gateway: it records whether the gateway retried (`x-portkey-retry-attempt-count`
 * > 0) or used a fallback target other than the first of its group (`x-portkey-last-used-option-index`).
 */
export function gatewayFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    const trace = storage.getStore();
    if (trace !== undefined) {
      trace.statuses.push(response.status);
      const retries = Number(response.headers.get('x-portkey-retry-attempt-count') ?? 0);
      const index = response.headers.get('x-portkey-last-used-option-index') ?? '';
      trace.gatewayRetried = retries > 0 || usedLaterTarget(index);
    }
    return response;
  };
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/** The emulator serves each provider under its own path: `/openai/...`, `/anthropic/...`. */
export function providerOf(url: string): UpstreamAttempt['provider'] {
  const path = new URL(url).pathname;
  if (path.startsWith('/openai/')) return 'openai';
  if (path.startsWith('/anthropic/')) return 'anthropic';
  return 'other';
}

/** True when the innermost target of `config.targets[a].targets[b]` is not the first (a fallback happened there). */
export function usedLaterTarget(optionIndex: string): boolean {
  const indexes = [...optionIndex.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
  return indexes.length >= 2 && indexes.at(-1)! > 0;
}
