import type { DashboardCollector, DashboardEvent } from './dashboard-collector';

/** Options of one `/events` stream. */
export interface EventStreamOptions {
  /** A comment line this often keeps proxies from closing an idle stream. Default 15 s. */
  heartbeatMs: number;
  /** Most streams open at once; past it `/events` answers 503. */
  maxStreams: number;
}

const encoder = new TextEncoder();

/**
 * One Server-Sent Events message: `data:` the JSON on one line (its `type` says what happened), `id:` a counter.
 * No `event:` field, so a browser's `EventSource.onmessage` sees every event.
 */
export function sseMessage(event: DashboardEvent, id: number): string {
  return `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * The `/events` response: a Server-Sent Events stream of every pool, chain and health event as it happens. It ends
 * when the client goes away (the request's signal, or the stream cancelled) or the dashboard closes.
 */
export function eventStreamResponse(
  collector: DashboardCollector,
  signal: AbortSignal | undefined,
  options: EventStreamOptions,
  closing: Set<() => void>,
): Response {
  if (collector.subscribers >= options.maxStreams)
    return new Response('too many event streams open\n', { status: 503, headers: { 'retry-after': '5' } });
  let stop: (() => void) | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let id = 0;
      let open = true;
      const write = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          finish();
        }
      };
      const unsubscribe = collector.subscribe((event) => write(sseMessage(event, ++id)));
      const heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);
      (heartbeat as { unref?: () => void }).unref?.();
      const finish = () => {
        if (!open) return;
        open = false;
        unsubscribe();
        clearInterval(heartbeat);
        closing.delete(finish);
        signal?.removeEventListener('abort', finish);
        try {
          controller.close();
        } catch {
          // Already closed by the consumer.
        }
      };
      stop = finish;
      closing.add(finish);
      signal?.addEventListener('abort', finish, { once: true });
      write(`retry: 2000\n: keypool events\n\n`);
    },
    cancel() {
      stop?.();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
