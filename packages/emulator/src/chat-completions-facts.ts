import {
  type ConversationFacts,
  type EmulatedToolChoice,
  emptyConversationFacts,
} from './conversation-facts.ts';
import { contentText, isRecord } from './provider-dialect.ts';

/** Mistral's tool-call ids: nine letters or digits. */
const MISTRAL_TOOL_CALL_ID = /^[a-zA-Z0-9]{9}$/;

/**
 * Reads tools, tool choice, tool results, `response_format` and media from a chat-completions body (OpenAI and
 * Mistral). Returns the provider's wording of a problem instead when a tool message answers no earlier tool call, or
 * (Mistral) a tool-call id is not nine letters or digits.
 */
export function chatCompletionsFacts(
  body: Record<string, unknown>,
  dialect: 'openai' | 'mistral',
): ConversationFacts | string {
  const facts = emptyConversationFacts();
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      const fn = isRecord(tool) && isRecord(tool.function) ? tool.function : undefined;
      if (fn && typeof fn.name === 'string') facts.toolNames.push(fn.name);
    }
  }
  facts.toolChoice = toolChoiceOf(body.tool_choice);
  const format = isRecord(body.response_format) ? body.response_format : undefined;
  if (format?.type === 'json_object') facts.json = true;
  if (format?.type === 'json_schema') {
    facts.json = true;
    const spec = isRecord(format.json_schema) ? format.json_schema : {};
    facts.jsonSchema = isRecord(spec.schema) ? spec.schema : {};
  }
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  const callNames = new Map<string, string>();
  let trailing: ConversationFacts['trailingToolResults'] = [];
  for (const message of messages) {
    if (message.role === 'assistant') {
      trailing = [];
      for (const call of Array.isArray(message.tool_calls) ? message.tool_calls.filter(isRecord) : []) {
        const id = typeof call.id === 'string' ? call.id : '';
        if (dialect === 'mistral' && !MISTRAL_TOOL_CALL_ID.test(id))
          return `Tool call id was ${id} but must be a-z, A-Z, 0-9, with a length of 9.`;
        const fn = isRecord(call.function) ? call.function : {};
        callNames.set(id, typeof fn.name === 'string' ? fn.name : '');
      }
    } else if (message.role === 'tool') {
      const id = typeof message.tool_call_id === 'string' ? message.tool_call_id : '';
      const name = callNames.get(id);
      if (name === undefined) {
        return dialect === 'mistral'
          ? `Tool call id was ${id} but must be a-z, A-Z, 0-9, with a length of 9.`
          : "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      }
      trailing.push({ name, content: contentText(message.content) });
    } else {
      trailing = [];
      countMedia(message.content, facts);
    }
  }
  facts.trailingToolResults = trailing;
  return facts;
}

function toolChoiceOf(value: unknown): EmulatedToolChoice {
  if (value === 'none' || value === 'auto') return value;
  if (value === 'required' || value === 'any') return 'required';
  if (isRecord(value) && isRecord(value.function) && typeof value.function.name === 'string')
    return { name: value.function.name };
  return 'auto';
}

function countMedia(content: unknown, facts: ConversationFacts): void {
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (part.type === 'image_url') facts.images++;
    else if (part.type === 'file' || part.type === 'document_url') facts.documents++;
  }
}
