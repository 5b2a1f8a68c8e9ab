import type { ChatMessage, ChatRequest } from './chat';

/**
 * Tokens reserved for one image or document part. Providers bill images by size (Anthropic about
 * width × height / 750, OpenAI 85 + 170 per tile) and PDFs by page; the bytes are unknown before the call, so one
 * mid-sized image is assumed rather than counting base64 characters as text.
 */
export const MEDIA_PART_TOKENS = 1000;

/**
 * Rough token estimate used to reserve tpm capacity before a call: about four characters a token for text (tool
 * calls, tool results and tool schemas included), {@link MEDIA_PART_TOKENS} per image or document, plus the
 * completion budget (`maxTokens`, else 256).
 */
export function estimateRequestTokens(request: ChatRequest): number {
  let characters = 0;
  let media = 0;
  for (const message of request.messages) {
    characters += messageCharacters(message) + 4;
    if (message.role === 'user' && typeof message.content !== 'string')
      for (const part of message.content) if (part.type !== 'text') media++;
  }
  for (const tool of request.tools ?? [])
    characters += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters).length;
  if (request.responseFormat?.type === 'json' && request.responseFormat.schema)
    characters += JSON.stringify(request.responseFormat.schema).length;
  return Math.ceil(characters / 4) + media * MEDIA_PART_TOKENS + (request.maxTokens ?? 256);
}

function messageCharacters(message: ChatMessage): number {
  switch (message.role) {
    case 'system':
    case 'tool':
      return message.content.length;
    case 'assistant': {
      let characters = message.content.length;
      for (const call of message.toolCalls ?? []) characters += call.name.length + call.arguments.length;
      return characters;
    }
    case 'user': {
      if (typeof message.content === 'string') return message.content.length;
      let characters = 0;
      for (const part of message.content) if (part.type === 'text') characters += part.text.length;
      return characters;
    }
  }
}
