import { ConfigError, type KeyConfig, PoolExhaustedError, ProviderError } from '@keypool/core';
import type { ProviderId } from '@keypool/keystore';
import { createProviderPool, type ProviderPoolOptions } from '../create-provider-pool';

/** What one key's test call said. */
export type KeyVerdict = 'valid' | 'invalid' | 'rate-limited' | 'quota' | 'error';

/** One key's test result: by id and masked secret, never the secret. */
export interface KeyTestResult {
  provider: ProviderId;
  id: string;
  masked: string;
  model: string;
  verdict: KeyVerdict;
  /** The failure's category (`auth`, `rate_limit`, `network`, ...), when the call failed. */
  category?: string;
  /** The HTTP status, when the provider answered. */
  status?: number;
  /** What went wrong, scrubbed of secrets by the adapter. */
  message?: string;
  /** For rate limits: when the provider said to try again. */
  retryAfterMs?: number;
  latencyMs: number;
}

/** The verdict a failure category means. */
export function verdictOf(category: string | undefined): KeyVerdict {
  switch (category) {
    case 'auth':
      return 'invalid';
    case 'rate_limit':
      return 'rate-limited';
    case 'quota_exhausted':
      return 'quota';
    default:
      return 'error';
  }
}

/**
 * Tests one key with one minimal live call (a one-token answer to "ping") through the provider's SDK, in a pool of
 * that key alone with one attempt: so the classification is exactly the one the pools use.
 */
export async function testKey(init: {
  provider: ProviderId;
  key: KeyConfig;
  masked: string;
  model: string;
  baseURL?: string | undefined;
  timeoutMs: number;
  /** Azure's endpoint, API version and deployment (when `provider` is `azure`), and where its variables are read. */
  azure?: ProviderPoolOptions['azure'];
  env?: Record<string, string | undefined>;
}): Promise<KeyTestResult> {
  const { provider, key, masked, model } = init;
  const base = { provider, id: key.id, masked, model };
  let pool: ReturnType<typeof createProviderPool>;
  try {
    pool = createProviderPool(provider, {
      keys: [{ id: key.id, secret: key.secret }],
      baseURL: init.baseURL,
      ...(init.azure ? { azure: init.azure } : {}),
      ...(init.env ? { env: init.env } : {}),
      timeoutMs: init.timeoutMs,
      maxAttempts: 1,
      maxWaitMs: 0,
      deadlineMs: init.timeoutMs,
      attemptTimeoutMs: init.timeoutMs,
    });
  } catch (error) {
    // A provider that cannot be set up (an Azure key without an endpoint): this key's error, not the whole run's.
    if (!ConfigError.isInstance(error)) throw error;
    return { ...base, verdict: 'error', message: error.message, latencyMs: 0 };
  }
  const started = performance.now();
  try {
    await pool.chat({ model, messages: [{ role: 'user', content: 'ping' }], maxTokens: 1 });
    return { ...base, verdict: 'valid', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    const failure = PoolExhaustedError.isInstance(error) ? error.lastError : error;
    if (ProviderError.isInstance(failure)) {
      return {
        ...base,
        verdict: verdictOf(failure.category),
        category: failure.category,
        ...(failure.status === undefined ? {} : { status: failure.status }),
        message: failure.message,
        ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }),
        latencyMs,
      };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, verdict: 'error', message, latencyMs };
  } finally {
    await pool.close();
  }
}
