import type { Answer } from './answer.ts';
import { anthropicFacts } from './anthropic-facts.ts';
import { argumentFragments, emulatedToolCallId } from './emulated-tool-call-id.ts';
import type { Failure } from './failure.ts';
import type {
  ChatRequest,
  HttpAnswer,
  ProviderDialect,
  RenderContext,
  StreamPlan,
} from './provider-dialect.ts';
import {
  bearerToken,
  contentText,
  headerValue,
  isRecord,
  numberField,
  sseFrame,
} from './provider-dialect.ts';
import type { HeaderMap } from './rate-limit-headers.ts';
import { anthropicRateLimitHeaders, retryAfterHeaders } from './rate-limit-headers.ts';

function errorAnswer(
  status: number,
  context: RenderContext,
  error: { type: string; message: string; details?: { error_code: string } },
  headers: HeaderMap = {},
): HttpAnswer {
  return { status, headers, body: JSON.stringify({ type: 'error', error, request_id: context.requestId }) };
}

function firstOfNextMonth(now: number): string {
  const date = new Date(now);
  const next = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
  return next.toISOString().slice(0, 10);
}

/** Anthropic's failure bodies (`{"type":"error","error":{...},"request_id":...}`) with their real statuses. */
export function renderAnthropicFailure(failure: Failure, context: RenderContext): HttpAnswer {
  switch (failure.kind) {
    case 'invalid_key':
    case 'leaked_key':
      return errorAnswer(401, context, {
        type: 'authentication_error',
        message: failure.key === undefined ? 'x-api-key header is required' : 'invalid x-api-key',
      });
    case 'rate_limited': {
      const unit =
        failure.dimension === 'tokens'
          ? 'input tokens per minute'
          : failure.period === 'day'
            ? 'requests per day'
            : 'requests per minute';
      return errorAnswer(
        429,
        context,
        {
          type: 'rate_limit_error',
          message: `This request would exceed the rate limit for your organization (emulator) of ${failure.limit} ${unit}. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.`,
        },
        retryAfterHeaders(failure.retryAfterMs, true),
      );
    }
    case 'quota_exhausted':
      if (failure.style === 'billing') {
        return errorAnswer(402, context, {
          type: 'billing_error',
          message:
            'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
        });
      }
      return errorAnswer(429, context, {
        type: 'rate_limit_error',
        message: `You have reached your specified API usage limits. You will regain access on ${firstOfNextMonth(context.now)} at 00:00 UTC.`,
        details: { error_code: 'enforced_spend_limit_reached' },
      });
    case 'overloaded':
      return errorAnswer(529, context, { type: 'overloaded_error', message: 'Overloaded' });
    case 'server_error':
      return errorAnswer(500, context, { type: 'api_error', message: 'Internal server error' });
    case 'context_length':
      return errorAnswer(400, context, {
        type: 'invalid_request_error',
        message: `prompt is too long: ${failure.promptTokens} tokens > ${failure.contextWindow} maximum`,
      });
    case 'content_filter':
      return errorAnswer(400, context, {
        type: 'invalid_request_error',
        message: 'Output blocked by content filtering policy',
      });
    case 'not_found':
      return errorAnswer(404, context, {
        type: 'not_found_error',
        message: `model: ${context.request.model}`,
      });
    case 'bad_request':
      return errorAnswer(400, context, { type: 'invalid_request_error', message: failure.message });
  }
}

function parseMessagesBody(body: unknown): ChatRequest | string {
  if (!isRecord(body)) return 'body: Input should be an object';
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  const maxTokens = numberField(body.max_tokens);
  if (maxTokens === undefined) return 'max_tokens: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  let promptText = contentText(body.system);
  let lastUserText = '';
  let prefill: string | undefined;
  for (const message of body.messages) {
    if (!isRecord(message)) continue;
    const text = contentText(message.content);
    promptText += text;
    if (message.role === 'user') lastUserText = text;
    prefill = message.role === 'assistant' ? text : undefined;
  }
  if (prefill !== undefined && prefill !== prefill.trimEnd()) {
    return 'messages: final assistant content cannot end with trailing whitespace';
  }
  // Structured output: `output_config.format` (or the older `output_format`) of type json_schema.
  const outputConfig = isRecord(body.output_config) ? body.output_config : undefined;
  const format = outputConfig?.format ?? body.output_format;
  const facts = anthropicFacts(body);
  if (typeof facts === 'string') return facts;
  return {
    model: body.model,
    stream: body.stream === true,
    promptText,
    lastUserText,
    maxTokens,
    includeUsage: true,
    ...(isRecord(format) && format.type === 'json_schema'
      ? { structuredOutput: { schema: format.schema } }
      : {}),
    facts,
    ...(prefill !== undefined ? { prefill } : {}),
  };
}

function stopReason(answer: Answer): string {
  return answer.toolCalls ? 'tool_use' : answer.truncated ? 'max_tokens' : 'end_turn';
}

function messageId(context: RenderContext): string {
  return `msg_${context.requestId.slice(4)}`;
}

function usageOf(answer: Answer, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: answer.promptTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

const OVERLOADED_ERROR = { type: 'overloaded_error', message: 'Overloaded' };

/** The Anthropic Messages dialect, served at `/anthropic/v1/messages` (key in `x-api-key` or `Authorization`). */
export const anthropicDialect: ProviderDialect = {
  provider: 'anthropic',
  readKey(headers) {
    return headerValue(headers['x-api-key']) || bearerToken(headers.authorization);
  },
  parseRequest(body) {
    return parseMessagesBody(body);
  },
  commonHeaders(context) {
    return { 'request-id': context.requestId, ...anthropicRateLimitHeaders(context.rateLimits, context.now) };
  },
  renderFailure: renderAnthropicFailure,
  renderSuccess(answer, context) {
    return JSON.stringify({
      id: messageId(context),
      type: 'message',
      role: 'assistant',
      model: context.request.model,
      content: answer.toolCalls
        ? answer.toolCalls.map((call, index) => ({
            type: 'tool_use',
            id: emulatedToolCallId('anthropic', context, index),
            name: call.name,
            input: call.arguments,
          }))
        : [{ type: 'text', text: answer.text }],
      stop_reason: stopReason(answer),
      stop_sequence: null,
      usage: usageOf(answer, answer.completionTokens),
    });
  },
  renderStream(answer, context, options): StreamPlan {
    const event = (type: string, data: Record<string, unknown>): string =>
      sseFrame(JSON.stringify({ type, ...data }), type);
    const head = [
      event('message_start', {
        message: {
          id: messageId(context),
          type: 'message',
          role: 'assistant',
          model: context.request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usageOf(answer, 1),
        },
      }),
      ...(answer.toolCalls
        ? []
        : [event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } })]),
      event('ping', {}),
    ];
    const content = answer.toolCalls
      ? answer.toolCalls.flatMap((call, index) => [
          event('content_block_start', {
            index,
            content_block: {
              type: 'tool_use',
              id: emulatedToolCallId('anthropic', context, index),
              name: call.name,
              input: {},
            },
          }),
          ...argumentFragments(JSON.stringify(call.arguments)).map((partial_json) =>
            event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }),
          ),
          event('content_block_stop', { index }),
        ])
      : answer.chunks.map((text) =>
          event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
        );
    const tail = [
      ...(answer.toolCalls ? [] : [event('content_block_stop', { index: 0 })]),
      event('message_delta', {
        delta: { stop_reason: stopReason(answer), stop_sequence: null },
        usage: { output_tokens: answer.completionTokens },
      }),
    ];
    if (options.terminator) tail.push(event('message_stop', {}));
    return { head, content, tail };
  },
  malformedFrame() {
    return 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n';
  },
  midStreamErrorFrame(context) {
    return sseFrame(
      JSON.stringify({ type: 'error', error: OVERLOADED_ERROR, request_id: context.requestId }),
      'error',
    );
  },
};
