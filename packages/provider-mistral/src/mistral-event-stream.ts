import type { RoutedStream } from '@keypool/core';

/** A routed Mistral stream as `pool.client` returns it: a `ReadableStream` of events, like the SDK's `EventStream`. */
export type MistralRoutedEventStream<TEvent> = ReadableStream<TEvent> &
  AsyncIterable<TEvent> & { readonly controller: AbortController };

/**
 * Gives a routed stream the shape of Mistral's `EventStream`, a `ReadableStream` of `{ data }` events: iterate it
 * (`for await`), or use `getReader()`, `pipeTo()`, `pipeThrough()` and `tee()`. Nothing is read ahead of the
 * consumer; cancelling the stream (or breaking out of the loop) cancels the upstream request and frees the key.
 */
export function toMistralEventStream<TEvent>(stream: RoutedStream<TEvent>): MistralRoutedEventStream<TEvent> {
  const readable = new ReadableStream<TEvent>(
    {
      async pull(controller) {
        try {
          const next = await stream.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await stream.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  Object.defineProperty(readable, 'controller', { value: stream.controller, enumerable: false });
  return readable as MistralRoutedEventStream<TEvent>;
}
