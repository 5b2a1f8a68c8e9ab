/** Drives a fixed number of calls through a contender at a given concurrency, bounded by a hard deadline. */
import type { CallResult, Runner } from './contenders.ts';

export interface CallRecord extends CallResult {
  index: number;
  startedAt: number;
  ms: number;
}

export interface DriveResult {
  records: CallRecord[];
  /** Calls started but still running at the hard stop (aborted, counted as not served). */
  unfinished: number;
  /** Calls never started because the deadline had passed. */
  notStarted: number;
  startedAt: number;
  wallMs: number;
}

export interface DriveOptions {
  calls: number;
  concurrency: number;
  /** No call starts after this many ms; running calls are aborted `graceMs` later. */
  deadlineMs: number;
  graceMs?: number;
}

export async function drive(runner: Runner, options: DriveOptions): Promise<DriveResult> {
  const { calls, concurrency, deadlineMs, graceMs = 1000 } = options;
  const startedAt = Date.now();
  const controller = new AbortController();
  const records: CallRecord[] = [];
  let next = 0;
  let running = 0;
  const worker = async (): Promise<void> => {
    while (next < calls && Date.now() - startedAt < deadlineMs && !controller.signal.aborted) {
      const index = next++;
      const callStarted = performance.now();
      const wallStart = Date.now();
      running++;
      const result = await runner
        .call(index, controller.signal)
        .catch((error: unknown): CallResult => ({ ok: false, saw429: undefined, error: String(error) }));
      running--;
      if (controller.signal.aborted) return;
      records.push({ ...result, index, startedAt: wallStart, ms: performance.now() - callStarted });
    }
  };
  let hardStop: NodeJS.Timeout | undefined;
  const stopped = new Promise<void>((resolve) => {
    hardStop = setTimeout(() => {
      controller.abort(new Error('bench deadline'));
      resolve();
    }, deadlineMs + graceMs);
  });
  const workers = Array.from({ length: Math.min(concurrency, calls) }, worker);
  await Promise.race([Promise.all(workers), stopped]);
  clearTimeout(hardStop);
  const unfinished = controller.signal.aborted ? running : 0;
  controller.abort(new Error('bench done'));
  return {
    records: records.sort((a, b) => a.index - b.index),
    unfinished,
    notStarted: calls - records.length - unfinished,
    startedAt,
    wallMs: Date.now() - startedAt,
  };
}
