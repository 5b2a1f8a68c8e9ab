import { routedStreamContinuation } from '@keypool/core/native-streams';
import { mistralContentText } from './mistral-content-text';
import { isTerminalMistralChunk } from './mistral-routes';

/** A streamed chat event as the SDK yields it (`{ data: CompletionChunk }`), with Keypool's restart mark. */
interface MistralStreamEvent {
  data: {
    id?: string;
    created?: number;
    model?: string;
    usage?: unknown;
    choices: {
      index?: number;
      delta: { role?: unknown; content?: unknown; toolCalls?: unknown[] | null };
      finishReason?: string | null;
    }[];
  };
  keypool?: unknown;
}

interface ChatParams {
  messages?: unknown[];
  tools?: unknown[] | null;
}

function textOf(event: MistralStreamEvent): string | undefined {
  const content = event.data?.choices?.[0]?.delta?.content;
  if (content === undefined || content === null) return undefined;
  const text = mistralContentText(content);
  return text === '' ? undefined : text;
}

/**
 * How Mistral chat streams routed by `pool.client` continue (`nativeStreams`): a continuation sends the text shown so
 * far as a trailing assistant message with `prefix: true`; its chunks take the first stream's id, creation time and
 * model, so the consumer reads one stream.
 */
export const MISTRAL_STREAM_CONTINUATION = routedStreamContinuation<unknown>({
  dialect: {
    textOf: (event) => textOf(event as MistralStreamEvent),
    withText: (event, text) => {
      const { data, ...rest } = event as MistralStreamEvent;
      const [choice, ...others] = data.choices;
      return {
        ...rest,
        data: { ...data, choices: [{ ...choice, delta: { ...choice?.delta, content: text } }, ...others] },
      };
    },
    isStructured: (event) =>
      (event as MistralStreamEvent).data?.choices?.some(
        (choice) => (choice.delta?.toolCalls?.length ?? 0) > 0,
      ) ?? false,
    isTerminal: (event) => isTerminalMistralChunk(event),
    align: (event, first) => {
      const { data } = event as MistralStreamEvent;
      const original = (first as MistralStreamEvent).data;
      const choice = data.choices?.[0];
      // The continuation's opening role chunk adds nothing the consumer has not read.
      const empty =
        data.choices?.length === 1 &&
        textOf(event as MistralStreamEvent) === undefined &&
        !choice?.delta?.toolCalls?.length &&
        !choice?.finishReason &&
        !data.usage;
      if (empty) return undefined;
      return {
        ...(event as MistralStreamEvent),
        data: { ...data, id: original.id, created: original.created, model: original.model },
      };
    },
    markRestart: (event, restart) => ({ ...(event as MistralStreamEvent), keypool: { restart } }),
  },
  continueArgs: (args, prefill) => {
    if (prefill === undefined) return [...args];
    const params = (args[0] ?? {}) as ChatParams;
    const messages = [...(params.messages ?? []), { role: 'assistant', content: prefill, prefix: true }];
    return [{ ...params, messages }, ...args.slice(1)];
  },
  hasTools: (args) => ((args[0] as ChatParams | undefined)?.tools?.length ?? 0) > 0,
});
