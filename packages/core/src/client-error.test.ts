import { describe, expect, it } from 'vitest';
import { type ClientErrorFactory, scrubSdkError, toClientError } from './client-error';
import { KeypoolError, PoolExhaustedError, ProviderError, StreamInterruptedError } from './errors';
import type { AttemptOutcome } from './key-pool';

class SdkError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly headers?: Headers,
    readonly error?: unknown,
  ) {
    super(message);
  }
}
class SdkAbort extends SdkError {}
class SdkTimeout extends SdkError {}

const factory: ClientErrorFactory = {
  isSdkError: (error: unknown): error is Error => error instanceof SdkError,
  abortError: () => new SdkAbort('aborted', undefined),
  timeoutError: () => new SdkTimeout('timed out', undefined),
  otherError: (message, status) => new SdkError(message, status),
};
const attempts: AttemptOutcome[] = [
  {
    keyId: 'a',
    masked: 'sk-a...0001',
    attempt: 1,
    outcome: 'failure',
    category: 'auth',
    startedAt: 0,
    durationMs: 5,
  },
  {
    keyId: 'b',
    masked: 'sk-b...0002',
    attempt: 2,
    outcome: 'failure',
    category: 'rate_limit',
    startedAt: 5,
    durationMs: 5,
  },
];
const failure = (category: ProviderError['category'], cause: unknown, keyId = 'b') =>
  new ProviderError({ category, message: 'x', provider: 'openai', keyId, retryAfterMs: 1_000 }, { cause });
const viewOf = (error: unknown) => (error as { keypool: Record<string, unknown> }).keypool;

describe('toClientError', () => {
  it('returns the upstream SDK error with a keypool view naming the key by id and masked form', () => {
    const upstream = new SdkError('429 slow down', 429);
    const keypoolError = failure('rate_limit', upstream);
    const converted = toClientError(keypoolError, attempts, factory);
    expect(converted).toBe(upstream);
    expect(viewOf(converted)).toMatchObject({
      provider: 'openai',
      category: 'rate_limit',
      keyId: 'b',
      masked: 'sk-b...0002',
      retryAfterMs: 1_000,
      exhausted: undefined,
      error: keypoolError,
    });
    expect(viewOf(converted).attempts).toEqual(attempts);
    expect(Object.keys(converted as object)).not.toContain('keypool');
  });

  it('for an exhausted pool returns the last upstream error, enriched with the reason and the pool wait', () => {
    const last = new SdkError('401 bad key', 401);
    const exhausted = new PoolExhaustedError({
      provider: 'openai',
      retryAfterMs: 2_000,
      keys: [],
      errors: [failure('auth', new SdkError('401', 401), 'a'), failure('auth', last)],
      reason: 'no_usable_key',
    });
    const converted = toClientError(exhausted, attempts, factory);
    expect(converted).toBe(last);
    expect(viewOf(converted)).toMatchObject({
      exhausted: 'no_usable_key',
      retryAfterMs: 2_000,
      error: exhausted,
    });
  });

  it("builds the SDK's own abort and timeout errors when the engine noticed them first", () => {
    const aborted = toClientError(failure('aborted', new DOMException('x', 'AbortError')), attempts, factory);
    expect(aborted).toBeInstanceOf(SdkAbort);
    const timedOut = toClientError(
      failure('timeout', new DOMException('x', 'TimeoutError')),
      attempts,
      factory,
    );
    expect(timedOut).toBeInstanceOf(SdkTimeout);
    expect(viewOf(timedOut).category).toBe('timeout');
  });

  it('passes through the raw error of a stream broken after its first chunk, and non-Keypool errors', () => {
    const raw = new SyntaxError('bad chunk');
    const inner = failure('server', raw);
    const interrupted = new StreamInterruptedError(
      { category: 'server', message: 'cut', provider: 'openai', keyId: 'b' },
      'partial',
      { cause: inner },
    );
    expect(toClientError(interrupted, attempts, factory)).toBe(raw);
    const plain = new Error('not ours');
    expect(toClientError(plain, attempts, factory)).toBe(plain);
    expect(KeypoolError.isInstance(toClientError(interrupted, attempts, factory))).toBe(false);
  });
});

describe('scrubSdkError', () => {
  it('masks the secret in the message, headers, body fields and the cause chain', () => {
    const secret = 'sk-secret-value-123456789';
    const headers = new Headers({ 'x-echo': `Bearer ${secret}`, 'x-other': 'fine' });
    const error = new SdkError(`401 bad key ${secret}`, 401, headers, {
      message: `key ${secret}`,
      nested: [secret],
    });
    (error as { cause?: unknown }).cause = new Error(`fetch ${secret}`);
    scrubSdkError(error, [secret]);
    const shown = `${error.message} ${[...headers.values()].join()} ${JSON.stringify(error.error)} ${(error.cause as Error).message} ${error.stack}`;
    expect(shown).not.toContain(secret);
    expect(shown).toContain('sk-s');
    expect(headers.get('x-other')).toBe('fine');
  });
});
