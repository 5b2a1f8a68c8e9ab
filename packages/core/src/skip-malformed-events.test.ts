import { describe, expect, it } from 'vitest';
import {
  type MalformedStreamEvent,
  skipMalformedEvents,
  withMalformedEventSkipping,
} from './skip-malformed-events';

function sse(pieces: readonly string[], type = 'text/event-stream'): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': type } });
}

describe('skipMalformedEvents', () => {
  it('drops a non-JSON event without answer text, split across chunks, and keeps every other byte', async () => {
    const reported: MalformedStreamEvent[] = [];
    const stream = [
      'data: {"a":1}\r\n\r\n',
      'data: <html>bad ga',
      'teway</html>\r\n\r\nevent: ping\ndata: {"type":"ping"}\n\n',
      'data: [DONE]\n\n',
    ];
    const text = await skipMalformedEvents(sse(stream), (event) => reported.push(event)).text();
    expect(text).toBe('data: {"a":1}\r\n\r\nevent: ping\ndata: {"type":"ping"}\n\ndata: [DONE]\n\n');
    expect(reported).toEqual([{ length: '<html>bad gateway</html>'.length, skipped: true }]);
  });

  it('passes on (and reports) a malformed event that may have carried text, so the SDK fails and no word is lost', async () => {
    const reported: MalformedStreamEvent[] = [];
    const broken = 'event: content_block_delta\ndata: {"delta":{"type":"text_delta","text":"hel\n\n';
    const text = await skipMalformedEvents(sse([broken]), (event) => reported.push(event)).text();
    expect(text).toBe(broken);
    expect(reported).toEqual([{ event: 'content_block_delta', length: expect.any(Number), skipped: false }]);
  });

  it('leaves other responses alone, and a fetch without the hook unwrapped', async () => {
    const json = sse(['{"a":'], 'application/json');
    expect(skipMalformedEvents(json, () => undefined)).toBe(json);
    const base = async () => new Response('x');
    expect(withMalformedEventSkipping(base, undefined)).toBe(base);
  });
});
