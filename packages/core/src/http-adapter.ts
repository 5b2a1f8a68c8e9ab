import type { ProviderAdapter } from './adapter';
import type { ProviderName } from './categories';
import type { ClassifiedError } from './classified-error';
import { classifyHttpFailure, readCommonRateLimitHeaders } from './classify-http-failure';
import type { HeaderSource } from './retry-hints';

/** The client of a `createHttpAdapter` pool: nothing but the provider's name (the app makes its own requests). */
export interface HttpClient {
  readonly provider: ProviderName;
}

/**
 * An adapter for a provider without an SDK, used only through `pool.acquire` (bring your own HTTP): errors with a
 * numeric `status` are classified by status, code and wording, an abort is `aborted`, a failed `fetch` (TypeError) is
 * `network`; the common `x-ratelimit-*` headers are read. `pool.chat` / `pool.stream` are not available on it.
 */
export function createHttpAdapter(provider: ProviderName): ProviderAdapter<HttpClient> {
  const unsupported = (): never => {
    throw new Error(
      `${provider}: an HTTP adapter has no chat or stream; use pool.acquire() and your own request`,
    );
  };
  return {
    provider,
    setApiKey() {},
    createClient: () => ({ provider }),
    classifyError: (error) => classifyThrown(error),
    parseRateLimitHeaders: (headers) => readCommonRateLimitHeaders(headers as HeaderSource, Date.now()),
    chat: async () => unsupported(),
    // biome-ignore lint/correctness/useYield: it only refuses
    stream: async function* () {
      unsupported();
    },
  };
}

function classifyThrown(error: unknown): ClassifiedError {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number') {
    const { headers, body } = error as { headers?: HeaderSource; body?: unknown };
    return classifyHttpFailure(
      { status, headers, ...(typeof body === 'string' ? { body } : {}) },
      Date.now(),
    );
  }
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'AbortError') return { category: 'aborted', message };
  if (name === 'TimeoutError') return { category: 'timeout', message };
  if (error instanceof TypeError) return { category: 'network', message };
  return { category: 'server', message };
}
