import { chatCompletionsFacts } from './chat-completions-facts.ts';
import type { ChatRequest } from './provider-dialect.ts';
import { contentText, isRecord, numberField } from './provider-dialect.ts';

/**
 * Parses the chat-completions body shared by OpenAI and Mistral (`{model, messages:[{role, content}], max_tokens,
 * max_completion_tokens, stream, stream_options, response_format}`), with its tools, tool results, output format
 * and media. Returns a description of the first problem instead when the
 * body lacks `model` or `messages`.
 */
export function parseChatCompletionsBody(
  body: unknown,
  dialect: 'openai' | 'mistral' = 'openai',
): ChatRequest | string {
  if (!isRecord(body)) return 'body: expected a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return 'you must provide a model parameter';
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return "'messages' is a required property and must be a non-empty array";
  }
  let promptText = '';
  let lastUserText = '';
  let trailing: Record<string, unknown> | undefined;
  for (const message of body.messages) {
    if (!isRecord(message)) continue;
    const text = contentText(message.content);
    promptText += text;
    if (message.role === 'user') lastUserText = text;
    trailing = message;
  }
  // Mistral continues a trailing assistant message marked `prefix: true` and refuses one without it; OpenAI chat
  // answers a trailing assistant message as a new turn (no prefill).
  let prefill: string | undefined;
  if (dialect === 'mistral' && trailing?.role === 'assistant') {
    if (trailing.prefix !== true) {
      return 'Expected last role User or Tool (or Assistant with prefix True) for serving but got assistant';
    }
    prefill = contentText(trailing.content);
  }
  const streamOptions = body.stream_options;
  const format = body.response_format;
  const wantsJson = isRecord(format) && (format.type === 'json_schema' || format.type === 'json_object');
  const facts = chatCompletionsFacts(body, dialect);
  if (typeof facts === 'string') return facts;
  return {
    model: body.model,
    stream: body.stream === true,
    promptText,
    lastUserText,
    maxTokens: numberField(body.max_completion_tokens) ?? numberField(body.max_tokens),
    includeUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
    ...(wantsJson
      ? { structuredOutput: { schema: isRecord(format.json_schema) ? format.json_schema.schema : undefined } }
      : {}),
    facts,
    ...(prefill !== undefined ? { prefill } : {}),
  };
}
