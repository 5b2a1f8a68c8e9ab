/** An attempt's signal: aborts on the caller's signal or on the attempt's own timer. */
export interface AttemptSignal {
  signal: AbortSignal;
  /** True when the timer (attempt timeout, deadline, idle timeout) fired, not the caller. */
  timedOut(): boolean;
  /** Restarts the timer (used between stream chunks for the idle timeout). */
  restartTimer(ms: number): void;
  /** Aborts now (used when a stream consumer stops early). */
  abort(reason?: unknown): void;
  /** Removes the timer and the listener on the caller's signal. Does not abort. */
  dispose(): void;
}

/**
 * Creates a signal that aborts when `parent` aborts or after `timeoutMs`. Uses the global `setTimeout`, so it works on
 * every runtime and under fake timers.
 */
export function attemptSignal(parent: AbortSignal | undefined, timeoutMs: number): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onParentAbort = () => controller.abort(parent?.reason);
  const arm = (ms: number) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(
      () => {
        timedOut = true;
        controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
      },
      Math.max(0, ms),
    );
  };
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  if (Number.isFinite(timeoutMs)) arm(timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    restartTimer: arm,
    abort: (reason) => controller.abort(reason),
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Races a promise against a signal: rejects with the signal's reason as soon as it aborts. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
