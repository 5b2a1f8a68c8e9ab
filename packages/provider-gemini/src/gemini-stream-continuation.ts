import type { Content, GenerateContentResponse, Part } from '@google/genai';
import { routedStreamContinuation } from '@keypool/core/native-streams';
import { geminiResponseText } from './gemini-response.ts';

interface GenerateParams {
  contents?: unknown;
  config?: { tools?: unknown[] };
}

/** A copy of a response chunk that keeps its class (its `text` and other getters), with some fields replaced. */
function copyOf(chunk: GenerateContentResponse, fields: Record<string, unknown>): GenerateContentResponse {
  return Object.assign(
    Object.create(Object.getPrototypeOf(chunk) as object) as GenerateContentResponse,
    chunk,
    fields,
  );
}

/** The call's `contents` as a list of turns (genai also takes a string, one turn, or a list of parts). */
function contentsOf(contents: unknown): Content[] {
  if (typeof contents === 'string') return [{ role: 'user', parts: [{ text: contents }] }];
  const list = Array.isArray(contents) ? contents : contents === undefined ? [] : [contents];
  if (list.every((item) => item !== null && typeof item === 'object' && 'parts' in item))
    return list as Content[];
  // A list of parts (or strings) is one user turn.
  const parts = list.map((item) => (typeof item === 'string' ? { text: item } : (item as Part)));
  return [{ role: 'user', parts }];
}

/**
 * How Gemini `generateContentStream` calls routed by `pool.client` continue (`nativeStreams`): a continuation sends
 * the text shown so far as trailing `model` content; its chunks take the first stream's `responseId` and
 * `modelVersion`, and stay `GenerateContentResponse` instances (`chunk.text` works).
 */
export const GEMINI_STREAM_CONTINUATION = routedStreamContinuation<unknown>({
  dialect: {
    textOf: (chunk) => {
      const text = geminiResponseText(chunk as GenerateContentResponse);
      return text === '' ? undefined : text;
    },
    withText: (chunk, text) => {
      const response = chunk as GenerateContentResponse;
      const [candidate, ...others] = response.candidates ?? [];
      const kept = (candidate?.content?.parts ?? []).filter(
        (part) => typeof part.text !== 'string' || part.thought === true,
      );
      const content = { role: 'model', ...candidate?.content, parts: [{ text }, ...kept] };
      return copyOf(response, { candidates: [{ ...candidate, content }, ...others] });
    },
    isStructured: (chunk) =>
      (chunk as GenerateContentResponse).candidates?.[0]?.content?.parts?.some((part) => part.functionCall) ??
      false,
    isTerminal: (chunk) => {
      const response = chunk as GenerateContentResponse;
      return (
        response.candidates?.[0]?.finishReason !== undefined ||
        response.promptFeedback?.blockReason !== undefined
      );
    },
    align: (chunk, first) => {
      const original = first as GenerateContentResponse;
      return copyOf(chunk as GenerateContentResponse, {
        ...(original.responseId !== undefined ? { responseId: original.responseId } : {}),
        ...(original.modelVersion !== undefined ? { modelVersion: original.modelVersion } : {}),
      });
    },
    markRestart: (chunk, restart) => copyOf(chunk as GenerateContentResponse, { keypool: { restart } }),
  },
  continueArgs: (args, prefill) => {
    if (prefill === undefined) return [...args];
    const params = (args[0] ?? {}) as GenerateParams;
    const contents = [...contentsOf(params.contents)];
    const last = contents.at(-1);
    if (last?.role === 'model')
      contents[contents.length - 1] = { ...last, parts: [...(last.parts ?? []), { text: prefill }] };
    else contents.push({ role: 'model', parts: [{ text: prefill }] });
    return [{ ...params, contents }, ...args.slice(1)];
  },
  hasTools: (args) => ((args[0] as GenerateParams | undefined)?.config?.tools?.length ?? 0) > 0,
});
