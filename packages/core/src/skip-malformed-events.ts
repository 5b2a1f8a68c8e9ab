/** A server-sent event of a stream whose data was not valid JSON (e.g. mangled by a proxy that rewrites bodies). */
export interface MalformedStreamEvent {
  /** The SSE `event:` name, when the event had one. */
  event?: string;
  /** The data's length in characters (the data itself is not kept: it may hold anything). */
  length: number;
  /**
   * True when the event was dropped and the stream went on: its data cannot have carried answer text. False when it
   * may have (a mangled text delta): it is passed on, the SDK fails on it, and the answer is continued instead, so no
   * word is silently lost.
   */
  skipped: boolean;
}

/** Names under which the four providers' stream events carry answer text or tool-call arguments. */
const CARRIES_OUTPUT = /"(content|text|delta|parts|partial_json|arguments|tool_calls|function_call)"/;
const EVENT_END = /\r\n\r\n|\n\n|\r\r/;

function inspect(block: string): MalformedStreamEvent | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  if (data.length === 0) return undefined;
  const payload = data.join('\n');
  if (payload === '[DONE]') return undefined;
  try {
    JSON.parse(payload);
    return undefined;
  } catch {
    return {
      ...(event !== undefined ? { event } : {}),
      length: payload.length,
      skipped: !CARRIES_OUTPUT.test(payload),
    };
  }
}

/**
 * Wraps a streaming (`text/event-stream`) response so that a single event whose data is not valid JSON and cannot
 * have carried answer text is dropped before the SDK sees it, instead of failing the whole stream. Every malformed
 * event is reported to `report`, dropped or not (see {@link MalformedStreamEvent.skipped}). Other responses are
 * returned unchanged. Web streams only: runs on any runtime.
 */
export function skipMalformedEvents(
  response: Response,
  report: (event: MalformedStreamEvent) => void,
): Response {
  const type = response.headers.get('content-type') ?? '';
  if (!response.body || !type.includes('text/event-stream')) return response;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = '';
  // What passes goes out as one chunk per chunk that came in: the SDK reads the body in the same pieces as it would
  // unwrapped (an abort mid-loop then stops after the same events as on the raw SDK).
  const pass = (controller: TransformStreamDefaultController<Uint8Array>, final: boolean): void => {
    let out = '';
    for (;;) {
      const match = EVENT_END.exec(buffer);
      if (!match) break;
      const end = match.index + match[0].length;
      const block = buffer.slice(0, match.index);
      const malformed = inspect(block);
      if (malformed) report(malformed);
      if (!malformed?.skipped) out += buffer.slice(0, end);
      buffer = buffer.slice(end);
    }
    if (final) {
      out += buffer;
      buffer = '';
    }
    if (out !== '') controller.enqueue(encoder.encode(out));
  };
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        buffer += decoder.decode(chunk, { stream: true });
        pass(controller, false);
      },
      flush(controller) {
        buffer += decoder.decode();
        pass(controller, true);
      },
    }),
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Any `fetch`-shaped function. */
// biome-ignore lint/suspicious/noExplicitAny: each SDK declares its own fetch parameter types.
type AnyFetch = (input: any, init?: any) => Promise<Response>;

/**
 * Wraps a provider client's `fetch` (default `globalThis.fetch`) so that its successful streaming responses go
 * through {@link skipMalformedEvents}. Without `report` it returns `base` unchanged: clients built without the hook
 * keep the SDK's own behaviour.
 */
export function withMalformedEventSkipping<F extends AnyFetch>(
  base: F | undefined,
  report: ((event: MalformedStreamEvent) => void) | undefined,
): F | undefined {
  if (!report) return base;
  const wrapped: AnyFetch = async (input, init) => {
    const response = await (base ?? globalThis.fetch)(input, init);
    return response.ok ? skipMalformedEvents(response, report) : response;
  };
  return wrapped as F;
}
