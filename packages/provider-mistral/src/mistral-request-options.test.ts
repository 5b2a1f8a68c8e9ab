import { describe, expect, it } from 'vitest';
import { withAttemptSignal, withAttemptTimeout } from './mistral-request-options';

describe('withAttemptSignal', () => {
  it('passes the attempt signal as is when there is nothing to merge', () => {
    const attempt = new AbortController().signal;
    expect(withAttemptSignal(undefined, attempt)).toEqual({ signal: attempt });
    expect(withAttemptSignal({ headers: { a: 'b' } }, attempt)).toEqual({
      headers: { a: 'b' },
      signal: attempt,
    });
  });

  it('drops the SDK per-call retries and keeps other options', () => {
    const attempt = new AbortController().signal;
    const options = withAttemptSignal(
      { retries: { strategy: 'backoff' }, retryCodes: ['429'], serverURL: 'http://x.test' },
      attempt,
    );
    expect(options).toEqual({ serverURL: 'http://x.test', signal: attempt });
  });

  it('aborts on the caller signal, the legacy fetchOptions.signal, or the attempt', () => {
    for (const which of ['caller', 'legacy', 'attempt'] as const) {
      const attempt = new AbortController();
      const caller = new AbortController();
      const legacy = new AbortController();
      const merged = withAttemptSignal(
        { signal: caller.signal, fetchOptions: { signal: legacy.signal } },
        attempt.signal,
      ).signal as AbortSignal;
      expect(merged.aborted).toBe(false);
      ({ caller, legacy, attempt })[which].abort();
      expect(merged.aborted).toBe(true);
    }
  });

  it('turns the timeout into a signal (the SDK ignores timeoutMs next to a signal)', async () => {
    const attempt = new AbortController().signal;
    const fromCall = withAttemptSignal({ timeoutMs: 20 }, attempt, 10_000).signal as AbortSignal;
    const fromClient = withAttemptSignal(undefined, attempt, 20).signal as AbortSignal;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fromCall.aborted && fromCall.reason.name).toBe('TimeoutError');
    expect(fromClient.aborted && fromClient.reason.name).toBe('TimeoutError');
  });
});

describe('withAttemptTimeout', () => {
  it('sets timeoutMs to the attempt limit, or a shorter caller or client timeout, and drops SDK retries', () => {
    expect(withAttemptTimeout(undefined, 5_000)).toEqual({ timeoutMs: 5_000 });
    expect(withAttemptTimeout({ timeoutMs: 100, retries: { strategy: 'none' } }, 5_000)).toEqual({
      timeoutMs: 100,
    });
    expect(withAttemptTimeout({}, 5_000, 2_000)).toEqual({ timeoutMs: 2_000 });
    expect(withAttemptTimeout({ headers: { a: 'b' } }, 300, 2_000)).toEqual({
      headers: { a: 'b' },
      timeoutMs: 300,
    });
  });
});
