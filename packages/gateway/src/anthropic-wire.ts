import type { ChatMessage, ChatRequest, ChatResult, FinishReason } from '@keypool/core';
import { GatewayError } from './api-error';

/** The fields of an Anthropic Messages body the unified format can carry. */
interface AnthropicBody {
  messages?: unknown;
  system?: unknown;
  max_tokens?: unknown;
  temperature?: unknown;
  stop_sequences?: unknown;
}

function textOf(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let text = '';
    for (const block of content) {
      if (typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'text') {
        text += String((block as { text?: unknown }).text ?? '');
      } else {
        throw new GatewayError('invalid_request', `${where}: only text blocks can be sent to this model`);
      }
    }
    return text;
  }
  throw new GatewayError('invalid_request', `${where}: must be a string or a list of text blocks`);
}

/** An Anthropic Messages body in the unified format (for chains and other providers' models). */
export function anthropicToChatRequest(body: AnthropicBody, model: string): ChatRequest {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new GatewayError('invalid_request', 'messages: must be a non-empty list');
  }
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) messages.push({ role: 'system', content: textOf(body.system, 'system') });
  body.messages.forEach((message: { role?: unknown; content?: unknown }, index) => {
    const role = message?.role;
    if (role !== 'user' && role !== 'assistant') {
      throw new GatewayError('invalid_request', `messages[${index}].role: must be "user" or "assistant"`);
    }
    messages.push({ role, content: textOf(message.content, `messages[${index}].content`) });
  });
  const request: ChatRequest = { model, messages };
  if (typeof body.max_tokens === 'number') request.maxTokens = body.max_tokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (Array.isArray(body.stop_sequences)) request.stop = body.stop_sequences.map(String);
  return request;
}

const STOP: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  content_filter: 'refusal',
  tool_calls: 'tool_use',
  other: 'end_turn',
};

function newId(): string {
  return `msg_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}

/** A unified answer as an Anthropic `message` object, named by the model the client asked for. */
export function chatResultToAnthropic(result: ChatResult, model: string): Record<string, unknown> {
  return {
    id: newId(),
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: result.text }],
    stop_reason: STOP[result.finishReason],
    stop_sequence: null,
    usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
  };
}

function event(name: string, data: Record<string, unknown>): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Writes a unified stream as Anthropic Messages SSE events, from `message_start` to `message_stop`. */
export class AnthropicEventWriter {
  private readonly id = newId();
  private started = false;

  constructor(private readonly model: string) {}

  private start(): string {
    this.started = true;
    return (
      event('message_start', {
        type: 'message_start',
        message: {
          id: this.id,
          type: 'message',
          role: 'assistant',
          model: this.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      }) +
      event('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      })
    );
  }

  /** The SSE text of one text delta (the first one is preceded by `message_start` and the block's start). */
  delta(text: string): string {
    const head = this.started ? '' : this.start();
    return `${head}${event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}`;
  }

  /** The SSE text that ends the stream: block stop, `message_delta` with the stop reason and usage, `message_stop`. */
  done(result: ChatResult): string {
    const head = this.started ? '' : this.start();
    return (
      head +
      event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
      event('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: STOP[result.finishReason], stop_sequence: null },
        usage: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens },
      }) +
      event('message_stop', { type: 'message_stop' })
    );
  }
}

/** The SSE event Anthropic sends when a stream fails after it started. */
export function anthropicStreamError(message: string, type = 'api_error'): string {
  return event('error', { type: 'error', error: { type, message } });
}
