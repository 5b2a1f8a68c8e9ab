import {
  routedResponseContinuation,
  type SseEvent,
  sseJson,
  withSseJson,
} from '@keypool/core/native-streams';

/** A chat completion chunk as the wire carries it (only what continuation reads). */
interface ChunkJson {
  id?: string;
  created?: number;
  model?: string;
  system_fingerprint?: string;
  choices?: {
    index?: number;
    delta?: { role?: string; content?: string | null; tool_calls?: unknown[] };
    finish_reason?: string | null;
  }[];
  usage?: unknown;
  error?: { message?: string };
}

interface ChatBody {
  messages?: unknown[];
  tools?: unknown[];
}

const isDone = (event: SseEvent) => event.data.trim() === '[DONE]';

function textOf(event: SseEvent): string | undefined {
  if (isDone(event)) return undefined;
  const content = sseJson<ChunkJson>(event)?.choices?.[0]?.delta?.content;
  return typeof content === 'string' && content !== '' ? content : undefined;
}

/**
 * How OpenAI chat completion streams routed by `pool.client` continue (`nativeStreams`). Chat completions has no
 * prefill, so a continuation asks again: the text it repeats is held back and dropped, and its chunks take the first
 * stream's id, creation time, model and fingerprint, so the consumer reads one stream with only new text.
 */
export const OPENAI_STREAM_CONTINUATION = routedResponseContinuation({
  handles: (path) => path.endsWith('/chat/completions'),
  dialect: {
    textOf,
    withText: (event, text) => {
      const json = sseJson<ChunkJson>(event) ?? {};
      const [choice, ...others] = json.choices ?? [];
      return withSseJson(event, {
        ...json,
        choices: [{ ...choice, delta: { ...choice?.delta, content: text } }, ...others],
      });
    },
    isStructured: (event) =>
      !isDone(event) &&
      (sseJson<ChunkJson>(event)?.choices?.some((choice) => (choice.delta?.tool_calls?.length ?? 0) > 0) ??
        false),
    isTerminal: isDone,
    errorOf: (event) => {
      if (isDone(event)) return undefined;
      const json = sseJson<ChunkJson>(event);
      if (json === undefined) return 'a malformed event';
      return json.error ? (json.error.message ?? 'an error event') : undefined;
    },
    align: (event, first) => {
      if (isDone(event)) return event;
      const json = sseJson<ChunkJson>(event) ?? {};
      const choice = json.choices?.[0];
      // The continuation's opening role chunk adds nothing the consumer has not read.
      const opening =
        json.choices?.length === 1 &&
        choice?.delta?.role !== undefined &&
        !choice.delta.content &&
        !choice.delta.tool_calls?.length &&
        !choice.finish_reason &&
        !json.usage;
      if (opening) return undefined;
      const original = sseJson<ChunkJson>(first) ?? {};
      return withSseJson(event, {
        ...json,
        id: original.id,
        created: original.created,
        model: original.model,
        ...(original.system_fingerprint !== undefined
          ? { system_fingerprint: original.system_fingerprint }
          : {}),
      });
    },
    markRestart: (event, restart) =>
      withSseJson(event, { ...sseJson<ChunkJson>(event), keypool: { restart } }),
  },
  continueBody: (body, prefill) => {
    if (prefill === undefined) return body;
    const chat = body as ChatBody;
    return { ...chat, messages: [...(chat.messages ?? []), { role: 'assistant', content: prefill }] };
  },
  hasTools: (body) => ((body as ChatBody | undefined)?.tools?.length ?? 0) > 0,
});
