/** Thrown when a server-sent-event stream ends before its first event: nothing was served, so another key may try. */
export class EmptyEventStreamError extends Error {
  constructor() {
    super('the stream ended before its first event');
    this.name = 'EmptyEventStreamError';
  }
}

const EVENT_END = /\r?\n\r?\n|\r\r/;

/** Options of `firstEventResponse`. */
export interface FirstEventOptions {
  /** Longest silence allowed between two reads of the rest of the body; then the body fails with `idleError()`. */
  idleTimeoutMs?: number;
  /** The error the body fails with after `idleTimeoutMs` of silence (the SDK's own timeout error). */
  idleError?: () => Error;
}

/**
 * Waits until the first complete server-sent event of `response` has arrived, then returns a response with the same
 * status, headers and URL whose body replays what was read and streams the rest. Errors and cancellation pass through
 * both ways, so a consumer that aborts the stream still cancels the upstream request. With `idleTimeoutMs`, a body
 * that stalls fails with `idleError()` (never a quiet, truncated end) and the upstream request is cancelled.
 */
export async function firstEventResponse(
  response: Response,
  options: FirstEventOptions = {},
): Promise<Response> {
  const body = response.body;
  if (!body) return response;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      if (text.trim() === '') throw new EmptyEventStreamError();
      break;
    }
    chunks.push(value);
    text += decoder.decode(value, { stream: true });
    if (EVENT_END.test(text)) break;
  }
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
    },
    async pull(controller) {
      const idleMs = options.idleTimeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const read = reader.read();
        const next =
          idleMs === undefined || !Number.isFinite(idleMs)
            ? await read
            : await Promise.race([
                read,
                new Promise<never>((_, reject) => {
                  timer = setTimeout(() => {
                    const error =
                      options.idleError?.() ?? new Error(`the stream was silent for ${idleMs} ms`);
                    // Fail first: cancelling resolves the pending read as "done", which must not win the race.
                    reject(error);
                    void reader.cancel(error).catch(() => undefined);
                  }, idleMs);
                }),
              ]);
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        controller.error(error);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return rebuiltResponse(response, replay);
}

/** A response with the same status, headers and URL as `original` and the given body, unread. */
export function rebuiltResponse(original: Response, body: BodyInit | null): Response {
  const copy = new Response(body, {
    status: original.status,
    statusText: original.statusText,
    headers: original.headers,
  });
  if (original.url) Object.defineProperty(copy, 'url', { value: original.url });
  return copy;
}
