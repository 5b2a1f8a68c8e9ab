import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmptyEventStreamError, firstEventResponse } from './first-event-response';

const encoder = new TextEncoder();

/** A response whose body yields the given parts, then stays open (or closes when `close`). */
function sse(parts: string[], close = true): { response: Response; push(part: string): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      for (const part of parts) c.enqueue(encoder.encode(part));
      if (close) c.close();
    },
  });
  const response = new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  return {
    response,
    push: (part) => controller.enqueue(encoder.encode(part)),
    end: () => controller.close(),
  };
}

afterEach(() => vi.useRealTimers());

describe('firstEventResponse', () => {
  it('waits for the first complete event, then replays everything with the same status and headers', async () => {
    const source = sse(['data: {"a"', ':1}\n', '\ndata: {"b":2}\n\n']);
    const response = await firstEventResponse(source.response);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(await response.text()).toBe('data: {"a":1}\n\ndata: {"b":2}\n\n');
  });

  it('rejects a stream that ends before any event (so another key can try)', async () => {
    await expect(firstEventResponse(sse([]).response)).rejects.toBeInstanceOf(EmptyEventStreamError);
  });

  it('fails a body that stalls after the first event with the given error, after the idle timeout', async () => {
    vi.useFakeTimers();
    const source = sse(['data: 1\n\n'], false);
    const stall = new Error('stalled');
    const response = await firstEventResponse(source.response, {
      idleTimeoutMs: 100,
      idleError: () => stall,
    });
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    const pending = reader.read();
    await vi.advanceTimersByTimeAsync(99);
    source.push('data: 2\n\n');
    expect((await pending).done).toBe(false);
    const stalled = reader.read();
    const caught = stalled.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    expect(await caught).toBe(stall);
  });
});
