import type { ServerResponse } from 'node:http';
import type { ModelBehaviour } from './config.ts';
import { delay } from './delay.ts';
import type { StreamPlan } from './provider-dialect.ts';
import type { HeaderMap } from './rate-limit-headers.ts';
import type { RequestOutcome } from './request-log.ts';

/** Headers of every SSE answer. */
export const SSE_HEADERS: HeaderMap = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/** Writes `data` and resolves once it has been handed to the socket (so a later destroy cannot drop it). */
export function writeFlushed(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    res.write(data, () => resolve());
  });
}

/** A data event that is not JSON and carries no answer text (for `malformedNoise`). */
const NOISE_FRAME = 'data: <html><body>upstream hiccup</body></html>\n\n';

/** What the stream writer needs besides the frames. */
export interface StreamFaults {
  behaviour: ModelBehaviour | undefined;
  /** A frame with a non-JSON data line (for `malformedChunk`). */
  malformedFrame: string;
  /** The provider's mid-stream error frame (for `midStreamError`). */
  midStreamErrorFrame: string;
  /** Lazily creates the request's abort signal (aborted on close or client disconnect). */
  signal: () => AbortSignal;
}

/**
 * Sends a stream plan as SSE with the model's stream faults applied: a first-token delay, a cut (socket destroyed)
 * or a stall after N content chunks, a malformed frame or an error event after the first content chunk, and a
 * missing terminator (already left out of the plan by the caller). Resolves with the outcome to log.
 */
export async function writeStream(
  res: ServerResponse,
  headers: HeaderMap,
  plan: StreamPlan,
  faults: StreamFaults,
): Promise<RequestOutcome> {
  const behaviour = faults.behaviour ?? {};
  let outcome: RequestOutcome = behaviour.noTerminator ? 'no_terminator' : 'ok';
  if (res.destroyed) return 'client_closed';
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  for (const frame of plan.head) res.write(frame);
  if (behaviour.firstTokenDelayMs !== undefined && behaviour.firstTokenDelayMs > 0) {
    await delay(behaviour.firstTokenDelayMs, faults.signal());
  }
  for (let index = 0; index <= plan.content.length; index++) {
    if (res.destroyed) return 'client_closed';
    if (behaviour.streamCutAfterChunks === index) {
      await writeFlushed(res, '');
      res.destroy();
      return 'stream_cut';
    }
    if (behaviour.streamStallAfterChunks === index) {
      outcome = 'stream_stall';
      await writeFlushed(res, '');
      const signal = faults.signal();
      await delay(behaviour.stallMs ?? Number.POSITIVE_INFINITY, signal);
      if (signal.aborted || res.destroyed) {
        res.destroy();
        return outcome;
      }
    }
    const frame = plan.content[index];
    if (frame === undefined) break;
    res.write(frame);
    const faultAt = (behaviour.faultAfterChunks ?? 1) - 1;
    if (index === faultAt && behaviour.malformedNoise) {
      res.write(NOISE_FRAME);
      outcome = 'malformed_chunk';
    }
    if (index === faultAt && behaviour.malformedChunk) {
      res.write(faults.malformedFrame);
      outcome = 'malformed_chunk';
    }
    if (index === faultAt && behaviour.midStreamError) {
      res.end(faults.midStreamErrorFrame);
      return 'mid_stream_error';
    }
  }
  for (const frame of plan.tail) res.write(frame);
  res.end();
  return outcome;
}
