import { vi } from 'vitest';

/**
 * Everything written to stderr or the console (`error`, `warn`, `info`, `log`, `debug`) while `run` runs, captured
 * instead of printed: a library must leave both untouched (e.g. an SDK's own logger printing a malformed chunk).
 */
export async function consoleOutputOf(run: () => Promise<void>): Promise<string[]> {
  const written: string[] = [];
  // Core is runtime-agnostic (no Node types): reach Node's stderr where there is one.
  const stderr = (globalThis as { process?: { stderr?: { write(chunk: string | Uint8Array): boolean } } })
    .process?.stderr;
  const spies = [
    ...(stderr
      ? [
          vi.spyOn(stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
            written.push(String(chunk));
            return true;
          }),
        ]
      : []),
    ...(['error', 'warn', 'info', 'log', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        written.push(args.map(String).join(' '));
      }),
    ),
  ];
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written;
}
