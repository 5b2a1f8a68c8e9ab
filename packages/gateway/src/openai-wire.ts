import type { ChatMessage, ChatRequest, ChatResult, FinishReason } from '@keypool/core';
import { GatewayError } from './api-error';

/** The fields of an OpenAI chat completions body the unified format can carry. */
interface OpenAIChatBody {
  model?: unknown;
  messages?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  temperature?: unknown;
  stop?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
}

/** The text of an OpenAI message `content`: a string, or the text parts of an array. */
export function textOfContent(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    let text = '';
    for (const part of content) {
      if (typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text') {
        text += String((part as { text?: unknown }).text ?? '');
      } else {
        throw new GatewayError('invalid_request', `${where}: only text parts can be sent to this model`);
      }
    }
    return text;
  }
  throw new GatewayError('invalid_request', `${where}: must be a string or a list of text parts`);
}

function roleOf(role: unknown, where: string): 'system' | 'user' | 'assistant' {
  if (role === 'system' || role === 'developer') return 'system';
  if (role === 'user' || role === 'assistant') return role;
  throw new GatewayError('invalid_request', `${where}.role: "${String(role)}" cannot be sent to this model`);
}

/** An OpenAI chat completions body in the unified format (for chains and other providers' models). */
export function openAIToChatRequest(body: OpenAIChatBody, model: string): ChatRequest {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new GatewayError('invalid_request', 'messages: must be a non-empty list');
  }
  const messages = body.messages.map((message: { role?: unknown; content?: unknown }, index) => ({
    role: roleOf(message?.role, `messages[${index}]`),
    content: textOfContent(message?.content, `messages[${index}].content`),
  }));
  const request: ChatRequest = { model, messages };
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number') request.maxTokens = maxTokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.stop === 'string') request.stop = [body.stop];
  else if (Array.isArray(body.stop)) request.stop = body.stop.map(String);
  return request;
}

const FINISH: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_calls',
  other: 'stop',
};

function newId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/** A unified answer as an OpenAI `chat.completion` object, named by the model the client asked for. */
export function chatResultToOpenAI(result: ChatResult, model: string): Record<string, unknown> {
  return {
    id: result.requestId ?? newId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: result.text, refusal: null },
        logprobs: null,
        finish_reason: FINISH[result.finishReason],
      },
    ],
    usage: {
      prompt_tokens: result.usage.inputTokens,
      completion_tokens: result.usage.outputTokens,
      total_tokens: result.usage.totalTokens,
    },
  };
}

/** Writes a unified stream as OpenAI `chat.completion.chunk` SSE events, ending with `data: [DONE]`. */
export class OpenAIChunkWriter {
  private readonly id = newId('chatcmpl-');
  private readonly created = Math.floor(Date.now() / 1000);
  private started = false;

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Record<string, unknown>, finish: string | null): string {
    const body = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    return `data: ${JSON.stringify(body)}\n\n`;
  }

  /** The SSE text of one text delta (the first one also carries the assistant role). */
  delta(text: string): string {
    const role = this.started ? {} : { role: 'assistant' };
    this.started = true;
    return this.chunk({ ...role, content: text }, null);
  }

  /** The SSE text that ends the stream: the finish reason, the usage chunk when asked for, and `[DONE]`. */
  done(result: ChatResult): string {
    let out = this.started ? '' : this.delta('');
    out += this.chunk({}, FINISH[result.finishReason]);
    if (this.includeUsage) {
      const usage = {
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.model,
        choices: [],
        usage: {
          prompt_tokens: result.usage.inputTokens,
          completion_tokens: result.usage.outputTokens,
          total_tokens: result.usage.totalTokens,
        },
      };
      out += `data: ${JSON.stringify(usage)}\n\n`;
    }
    return `${out}data: [DONE]\n\n`;
  }
}

/** The SSE event OpenAI sends when a stream fails after it started: `data: {"error": {...}}`. */
export function openAIStreamError(message: string, code: string): string {
  return `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code } })}\n\n`;
}
