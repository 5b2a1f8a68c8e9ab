import type { GenerateContentResponse, GoogleGenAI, SafetyRating } from '@google/genai';
import {
  type AttemptContext,
  type ChatRequest,
  type ChatResult,
  type ChatStreamPart,
  type ChatToolCall,
  type ChatToolStreamPart,
  type FinishReason,
  IncompleteAnswerError,
  withoutToolCallDeltas,
} from '@keypool/core';
import { GeminiContentBlockedError } from './gemini-content-blocked-error.ts';
import { geminiResponseText, geminiUsage } from './gemini-response.ts';
import { geminiToolCalls } from './gemini-tool-calls.ts';
import { isGeminiFilterFinish, mapGeminiFinishReason } from './map-gemini-finish-reason.ts';
import { toGeminiRequest } from './to-gemini-request.ts';

/**
 * One unified chat call on a key's client. A blocked prompt, or a response withheld by a filter with no text, throws
 * a `GeminiContentBlockedError` (classified `content_filter`, with the reason); a partial answer a filter cut short
 * is returned with `finishReason: 'content_filter'`. A 200 without a real answer (no candidate, no finish reason, no
 * content) throws an `IncompleteAnswerError` (classified `server`), never an empty success.
 */
export async function geminiChat(
  client: GoogleGenAI,
  request: ChatRequest,
  context: AttemptContext,
): Promise<Omit<ChatResult, 'keyId' | 'provider'>> {
  const response = await client.models.generateContent(toGeminiRequest(request, context.signal));
  throwIfPromptBlocked(response);
  const candidate = response.candidates?.[0];
  if (!candidate) throw new IncompleteAnswerError('gemini', 'no candidates');
  const text = geminiResponseText(response);
  if (text === '' && isGeminiFilterFinish(candidate.finishReason)) {
    throw new GeminiContentBlockedError('response', candidate.finishReason!, candidate.safetyRatings);
  }
  // A candidate without a finish reason is a cut answer; one with no parts at all is no answer, unless the token
  // budget ran out before any visible text (a thinking model can spend it all on thoughts).
  if (candidate.finishReason === undefined) throw new IncompleteAnswerError('gemini', 'no finishReason');
  if ((candidate.content?.parts?.length ?? 0) === 0 && candidate.finishReason !== 'MAX_TOKENS') {
    throw new IncompleteAnswerError('gemini', 'a candidate without content');
  }
  const toolCalls = geminiToolCalls(response);
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    // Gemini ends an answer that calls functions with STOP.
    finishReason: toolCalls.length > 0 ? 'tool_calls' : mapGeminiFinishReason(candidate?.finishReason),
    usage: geminiUsage(response.usageMetadata),
    model: response.modelVersion ?? request.model,
    ...(response.responseId ? { requestId: response.responseId } : {}),
  };
}

/**
 * One unified streaming call: a `delta` per chunk with text, then one `done` from the chunk carrying `finishReason`
 * (usage from the last `usageMetadata`). A stream that ends without a `finishReason` yields no `done`, so the engine
 * reports it as interrupted. (genai reconnects a stream only when the server sent continuation tokens; without them
 * a cut stream simply ends or throws.) Blocks follow `geminiChat`'s rule.
 */
export async function* geminiStreamWithTools(
  client: GoogleGenAI,
  request: ChatRequest,
  context: AttemptContext,
): AsyncGenerator<ChatToolStreamPart, void, undefined> {
  const stream = await client.models.generateContentStream(toGeminiRequest(request, context.signal));
  let finishReason: string | undefined;
  let safetyRatings: SafetyRating[] | undefined;
  let usage: GenerateContentResponse['usageMetadata'];
  let model: string | undefined;
  let requestId: string | undefined;
  let streamedText = false;
  const toolCalls: ChatToolCall[] = [];
  for await (const chunk of stream) {
    throwIfPromptBlocked(chunk);
    const text = geminiResponseText(chunk);
    if (text !== '') {
      streamedText = true;
      yield { type: 'delta', text };
    }
    // Gemini sends each function call whole, in one chunk.
    for (const call of geminiToolCalls(chunk, toolCalls.length)) {
      yield {
        type: 'tool_call_delta',
        index: toolCalls.length,
        id: call.id,
        name: call.name,
        argumentsDelta: call.arguments,
      };
      toolCalls.push(call);
    }
    const candidate = chunk.candidates?.[0];
    if (candidate?.finishReason !== undefined) {
      finishReason = candidate.finishReason;
      safetyRatings = candidate.safetyRatings;
    }
    if (chunk.usageMetadata) usage = chunk.usageMetadata;
    if (chunk.modelVersion) model = chunk.modelVersion;
    if (chunk.responseId) requestId = chunk.responseId;
  }
  if (finishReason === undefined) return;
  if (!streamedText && toolCalls.length === 0 && isGeminiFilterFinish(finishReason)) {
    throw new GeminiContentBlockedError('response', finishReason, safetyRatings);
  }
  const unified: FinishReason = toolCalls.length > 0 ? 'tool_calls' : mapGeminiFinishReason(finishReason);
  yield {
    type: 'done',
    finishReason: unified,
    usage: geminiUsage(usage),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    model: model ?? request.model,
    ...(requestId ? { requestId } : {}),
  };
}

/** {@link geminiStreamWithTools} without the tool-call deltas (their calls still arrive on `done`). */
export function geminiStream(
  client: GoogleGenAI,
  request: ChatRequest,
  context: AttemptContext,
): AsyncGenerator<ChatStreamPart, void, undefined> {
  return withoutToolCallDeltas(geminiStreamWithTools(client, request, context));
}

function throwIfPromptBlocked(response: GenerateContentResponse): void {
  const feedback = response.promptFeedback;
  if (feedback?.blockReason) {
    throw new GeminiContentBlockedError('prompt', feedback.blockReason, feedback.safetyRatings);
  }
}
