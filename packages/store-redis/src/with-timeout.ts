/** Thrown when Redis takes longer than the store's `timeoutMs` to answer. */
export class RedisTimeoutError extends Error {
  readonly timeoutMs: number;

  constructor(operation: string, timeoutMs: number) {
    super(`redis did not answer ${operation} within ${timeoutMs} ms`);
    this.name = 'RedisTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Settles like `promise`, or rejects with a `RedisTimeoutError` after `timeoutMs`. The original promise keeps
 * running (Redis may still apply the command): callers that care attach their own handler to it.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisTimeoutError(operation, timeoutMs)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
