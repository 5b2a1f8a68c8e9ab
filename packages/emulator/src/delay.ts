/**
 * Waits `ms` milliseconds, or less if the signal aborts first (the emulator is closing or the client went away).
 * Never rejects: callers check the signal afterwards. `Infinity` waits for the signal alone.
 */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      resolve();
    };
    const timer = Number.isFinite(ms)
      ? setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, ms)
      : undefined;
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
