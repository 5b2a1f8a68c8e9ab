import type { Answer } from './answer.ts';
import { parseChatCompletionsBody } from './chat-completions-request.ts';
import type { Failure } from './failure.ts';
import type { HttpAnswer, ProviderDialect, RenderContext, StreamPlan } from './provider-dialect.ts';
import { bearerToken, sseFrame } from './provider-dialect.ts';
import type { HeaderMap } from './rate-limit-headers.ts';
import { mistralRateLimitHeaders, retryAfterHeaders } from './rate-limit-headers.ts';

interface MistralErrorBody {
  object: 'error';
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function errorAnswer(
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers: HeaderMap = {},
): HttpAnswer {
  const body: MistralErrorBody = { object: 'error', message, type, param: null, code };
  return { status, headers, body: JSON.stringify(body) };
}

/** Mistral's failure bodies (`{"object":"error",...}`; 401 is `{"message":"Unauthorized",...}`). */
export function renderMistralFailure(failure: Failure, context: RenderContext): HttpAnswer {
  switch (failure.kind) {
    case 'invalid_key':
    case 'leaked_key':
      return {
        status: 401,
        headers: {},
        body: JSON.stringify({ message: 'Unauthorized', request_id: context.requestId.slice(4) }),
      };
    case 'rate_limited':
      return errorAnswer(
        429,
        failure.dimension === 'tokens' ? 'Tokens per minute limit exceeded' : 'Rate limit exceeded',
        'rate_limited',
        '1300',
        retryAfterHeaders(failure.retryAfterMs, false),
      );
    case 'quota_exhausted':
      return errorAnswer(
        429,
        'You have reached your monthly usage limit. Upgrade your plan or wait until next month.',
        'rate_limited',
        '1310',
      );
    case 'overloaded':
      return errorAnswer(
        503,
        'Service tier capacity exceeded for this model.',
        'service_unavailable',
        '3505',
      );
    case 'server_error':
      return errorAnswer(500, 'Internal server error', 'internal_server_error', '3000');
    case 'context_length':
      return errorAnswer(
        400,
        `Prompt contains ${failure.promptTokens} tokens and 0 draft tokens, too large for model with ${failure.contextWindow} maximum context length`,
        'invalid_request_error',
        '3051',
      );
    case 'content_filter':
      return errorAnswer(
        400,
        'The request was rejected because it was flagged by the content moderation policy.',
        'invalid_request_error',
        '3052',
      );
    case 'not_found':
      return errorAnswer(400, `Invalid model: ${context.request.model}`, 'invalid_model', '1500');
    case 'bad_request':
      return errorAnswer(400, failure.message, 'invalid_request_error', '3001');
  }
}

function usageOf(answer: Answer): Record<string, number> {
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: answer.completionTokens,
    total_tokens: answer.promptTokens + answer.completionTokens,
  };
}

function completionId(context: RenderContext): string {
  return context.requestId.slice(4);
}

/** The Mistral chat-completions dialect, served at `/mistral/v1/chat/completions`. */
export const mistralDialect: ProviderDialect = {
  provider: 'mistral',
  readKey(headers) {
    return bearerToken(headers.authorization);
  },
  parseRequest(body) {
    return parseChatCompletionsBody(body, 'mistral');
  },
  commonHeaders(context) {
    return {
      'mistral-correlation-id': context.requestId.slice(4),
      ...mistralRateLimitHeaders(context.rateLimits),
    };
  },
  renderFailure: renderMistralFailure,
  renderSuccess(answer, context) {
    return JSON.stringify({
      id: completionId(context),
      object: 'chat.completion',
      model: context.request.model,
      created: Math.floor(context.now / 1000),
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answer.text, tool_calls: null, prefix: false },
          finish_reason: answer.truncated ? 'length' : 'stop',
        },
      ],
      usage: usageOf(answer),
    });
  },
  renderStream(answer, context, options): StreamPlan {
    const base = {
      id: completionId(context),
      object: 'chat.completion.chunk',
      created: Math.floor(context.now / 1000),
      model: context.request.model,
    };
    const chunk = (delta: Record<string, unknown>, finishReason: string | null, usage?: Answer): string =>
      sseFrame(
        JSON.stringify({
          ...base,
          choices: [{ index: 0, delta, finish_reason: finishReason }],
          ...(usage ? { usage: usageOf(usage) } : {}),
        }),
      );
    const tail = [chunk({ content: '' }, answer.truncated ? 'length' : 'stop', answer)];
    if (options.terminator) tail.push('data: [DONE]\n\n');
    return {
      head: [chunk({ role: 'assistant', content: '' }, null)],
      content: answer.chunks.map((text) => chunk({ content: text }, null)),
      tail,
    };
  },
  malformedFrame() {
    return 'data: {"id":"broken","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"con\n\n';
  },
  midStreamErrorFrame() {
    return sseFrame(
      JSON.stringify({
        object: 'error',
        message: 'Service tier capacity exceeded for this model.',
        type: 'service_unavailable',
        param: null,
        code: '3505',
      }),
    );
  },
};
