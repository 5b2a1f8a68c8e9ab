import { rebuiltResponse } from './first-event-response';
import {
  continueNativeStream,
  NativeStreamBreak,
  type NativeStreamDialect,
  type OpenedNativeStream,
} from './native-stream-continuation';
import { poolStreamContextOf } from './pool-stream';
import type { ContinuablePoolRef, OpenedResponse, RoutedResponseContinuer } from './routed-stream-continuer';

/** One server-sent event: its `event:` name (if any) and its `data:` lines joined. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** How a Stainless SDK's streamed request continues when the pool opts in (`nativeStreams`). */
export interface RoutedResponseContinuation {
  /** How its server-sent events read and are rewritten. */
  dialect: NativeStreamDialect<SseEvent>;
  /** True for a request path whose stream this continues (e.g. `/chat/completions`). */
  handles(path: string): boolean;
  /** The request body for a continuation: with `prefill` as an assistant prefill, or unchanged (undefined). */
  continueBody(body: unknown, prefill: string | undefined): unknown;
  /** True when the request declared tools (a break then restarts: never a prefill). */
  hasTools?(body: unknown): boolean;
}

const EVENT_END = /\r?\n\r?\n|\r\r/;
const PARSED = new WeakMap<SseEvent, { json: unknown } | undefined>();

/** An event's data as JSON (parsed once per event), or undefined when it is not JSON (`[DONE]`, a mangled event). */
export function sseJson<T = Record<string, unknown>>(event: SseEvent): T | undefined {
  if (PARSED.has(event)) return PARSED.get(event)?.json as T | undefined;
  let parsed: { json: unknown } | undefined;
  try {
    parsed = { json: JSON.parse(event.data) };
  } catch {
    parsed = undefined;
  }
  PARSED.set(event, parsed);
  return parsed?.json as T | undefined;
}

/** The same event with `json` as its data. */
export function withSseJson(event: SseEvent, json: unknown): SseEvent {
  const next: SseEvent = { ...event, data: JSON.stringify(json) };
  PARSED.set(next, { json });
  return next;
}

/** The server-sent events of a response body, as they arrive. A body that fails throws what it failed with. */
export async function* sseEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<SseEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      for (let match = EVENT_END.exec(buffer); match; match = EVENT_END.exec(buffer)) {
        const block = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        const event = parseEvent(block);
        if (event) yield event;
      }
      if (done) {
        const last = parseEvent(buffer);
        if (last) yield last;
        return;
      }
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
}

function parseEvent(block: string): SseEvent | undefined {
  let name: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  if (name === undefined && data.length === 0) return undefined;
  return { ...(name !== undefined ? { event: name } : {}), data: data.join('\n') };
}

/** One event as the wire carries it. */
export function serializeSseEvent(event: SseEvent): string {
  const name = event.event !== undefined ? `event: ${event.event}\n` : '';
  return `${name}${event.data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/**
 * The streamed response of a routed request whose pool continues native streams (`nativeStreams.onInterrupt` not
 * `fail`): its server-sent events through `continueNativeStream`, each continuation a new routed request (with the
 * broken keys avoided) whose events are joined into this body. Undefined when the request is not continued. A body
 * that cannot be continued fails with what the broken body failed with, so the SDK throws its own error.
 */
export function continuingRoutedResponse(
  pool: ContinuablePoolRef,
  continuation: RoutedResponseContinuation,
  request: { path: string; body?: unknown; signal?: AbortSignal | null },
  opened: OpenedResponse,
  reopen: (body: unknown, avoidKeyIds: readonly string[]) => Promise<OpenedResponse>,
): Response | undefined {
  const context = poolStreamContextOf(pool);
  if (!context || context.nativeOnInterrupt === 'fail') return undefined;
  if (!continuation.handles(request.path) || !opened.response.body) return undefined;
  const model = (request.body as { model?: unknown } | undefined)?.model;
  const eventsOf = (stream: OpenedResponse): OpenedNativeStream<SseEvent> => {
    if (!stream.response.body) throw new NativeStreamBreak('server', 'the continuation has no body');
    return { events: sseEvents(stream.response.body), keyId: stream.keyId };
  };
  const events = continueNativeStream(eventsOf(opened), {
    dialect: continuation.dialect,
    mode: context.nativeOnInterrupt,
    target: { provider: pool.provider, model: typeof model === 'string' ? model : '' },
    hasTools: continuation.hasTools?.(request.body) ?? false,
    context,
    reopen: async ({ prefill, avoidKeyIds }) =>
      eventsOf(await reopen(continuation.continueBody(request.body, prefill), avoidKeyIds)),
    toBreak: (error) => {
      const name = error instanceof Error ? error.name : '';
      if (request.signal?.aborted || name === 'AbortError') return undefined;
      const message = error instanceof Error ? error.message : String(error);
      return new NativeStreamBreak(/timeout/i.test(name) ? 'timeout' : 'network', message, { cause: error });
    },
  });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await events.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(serializeSseEvent(next.value)));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await events.return(undefined).catch(() => undefined);
    },
  });
  return rebuiltResponse(opened.response, body);
}

/** The `streamContinuation` of a routed Stainless client (see `RequestRoutingParts`): its dialect and bodies. */
export function routedResponseContinuation(spec: RoutedResponseContinuation): RoutedResponseContinuer {
  return {
    continueResponse: (pool, request, opened, reopen) =>
      continuingRoutedResponse(pool, spec, request, opened, reopen),
  };
}
