import type { ProviderName } from './categories';
import type { ChatDocumentPart, ChatImagePart, ChatMessage, ChatUserPart } from './chat';
import { UnsupportedFeatureError } from './unsupported-feature-error';

/** A media part's bytes or address, normalised: base64 bytes with their media type, or a URL. */
export type ResolvedMedia =
  | { kind: 'base64'; data: string; mediaType: string }
  | { kind: 'url'; url: string; mediaType: string | undefined };

/** The text of a user message's content: the string, or its text parts joined. */
export function userContentText(content: string | readonly ChatUserPart[]): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}

/**
 * Resolves where an image's or document's bytes are: raw bytes become base64, a `data:` URL is split into its media
 * type and base64 bytes, any other URL stays a URL. Bytes without a media type throw `UnsupportedFeatureError`.
 */
export function resolveMedia(part: ChatImagePart | ChatDocumentPart, provider: ProviderName): ResolvedMedia {
  if (part.url !== undefined) {
    const match = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(part.url);
    if (!match) return { kind: 'url', url: part.url, mediaType: part.mediaType };
    const [, mediaType = '', isBase64, payload = ''] = match;
    const data = isBase64 ? payload : bytesToBase64(new TextEncoder().encode(decodeURIComponent(payload)));
    return { kind: 'base64', data, mediaType: part.mediaType ?? mediaType };
  }
  if (part.mediaType === undefined)
    throw new UnsupportedFeatureError(provider, `${part.type} bytes without a mediaType`);
  const data = typeof part.data === 'string' ? part.data : bytesToBase64(part.data);
  return { kind: 'base64', data, mediaType: part.mediaType };
}

/** The media as a `data:` URL (for providers that take images as URLs only). */
export function mediaDataUrl(media: ResolvedMedia): string {
  return media.kind === 'url' ? media.url : `data:${media.mediaType};base64,${media.data}`;
}

/** Base64 of some bytes, without Node's Buffer (core runs on any runtime). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let index = 0; index < bytes.length; index += chunk)
    binary += String.fromCharCode(...bytes.subarray(index, index + chunk));
  return btoa(binary);
}

/**
 * The name of the tool a tool message answers: its own `toolName`, else the name on the assistant tool call with its
 * `toolCallId`. Throws `UnsupportedFeatureError` when neither says (a provider that needs the name cannot be sent it).
 */
export function toolNameFor(
  messages: readonly ChatMessage[],
  toolCallId: string,
  provider: ProviderName,
  toolName?: string,
): string {
  if (toolName) return toolName;
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const call of message.toolCalls ?? []) if (call.id === toolCallId) return call.name;
  }
  throw new UnsupportedFeatureError(
    provider,
    `a tool result whose tool name is unknown (toolCallId ${JSON.stringify(toolCallId)} matches no assistant tool call; set toolName)`,
  );
}

/** Parses a tool call's JSON arguments as an object; empty text is `{}`. Anything else that is not an object throws. */
export function parseToolArguments(text: string, provider: ProviderName): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnsupportedFeatureError(
      provider,
      `tool call arguments that are not JSON: ${text.slice(0, 80)}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UnsupportedFeatureError(provider, 'tool call arguments that are not a JSON object');
  return value as Record<string, unknown>;
}
