import {
  routedResponseContinuation,
  type SseEvent,
  sseJson,
  withSseJson,
} from '@keypool/core/native-streams';

/** An Anthropic stream event's data (only what continuation reads). */
interface EventJson {
  type?: string;
  index?: number;
  content_block?: { type?: string };
  delta?: { type?: string; text?: string };
  error?: { message?: string };
}

interface MessagesBody {
  messages?: unknown[];
  tools?: unknown[];
}

function textOf(event: SseEvent): string | undefined {
  if (event.event !== 'content_block_delta') return undefined;
  const delta = sseJson<EventJson>(event)?.delta;
  return delta?.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== ''
    ? delta.text
    : undefined;
}

/**
 * How Anthropic Messages streams routed by `pool.client` continue (`nativeStreams`): a continuation sends the text
 * shown so far as a trailing assistant message (where the model accepts a prefill; else it asks again). Its
 * `message_start` and the opening of its first text block are dropped, so the consumer reads one message whose text
 * block goes on with only new text.
 */
export const ANTHROPIC_STREAM_CONTINUATION = routedResponseContinuation({
  handles: (path) => /^\/v1\/messages(\?|$)/.test(path),
  dialect: {
    textOf,
    withText: (event, text) => {
      const json = sseJson<EventJson>(event) ?? {};
      return withSseJson(event, { ...json, delta: { ...json.delta, text } });
    },
    isStructured: (event) => {
      const json = sseJson<EventJson>(event);
      if (event.event === 'content_block_start') return json?.content_block?.type !== 'text';
      return event.event === 'content_block_delta' && json?.delta?.type !== 'text_delta';
    },
    isTerminal: (event) => event.event === 'message_stop',
    errorOf: (event) => {
      const json = sseJson<EventJson>(event);
      if (json === undefined) return 'a malformed event';
      return event.event === 'error' ? (json.error?.message ?? 'an error event') : undefined;
    },
    align: (event) => {
      // A second message start is not the consumer's; pings are never yielded by the SDK (a restart mark must not
      // land on one).
      if (event.event === 'message_start' || event.event === 'ping') return undefined;
      const json = sseJson<EventJson>(event);
      // The consumer's first text block is open already: the continuation's text goes on in it.
      if (event.event === 'content_block_start' && json?.index === 0 && json.content_block?.type === 'text')
        return undefined;
      return event;
    },
    markRestart: (event, restart) =>
      withSseJson(event, { ...sseJson<EventJson>(event), keypool: { restart } }),
  },
  continueBody: (body, prefill) => {
    if (prefill === undefined) return body;
    const messages = body as MessagesBody;
    return { ...messages, messages: [...(messages.messages ?? []), { role: 'assistant', content: prefill }] };
  },
  hasTools: (body) => ((body as MessagesBody | undefined)?.tools?.length ?? 0) > 0,
});
