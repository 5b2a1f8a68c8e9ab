import type { Answer } from './answer.ts';
import { parseChatCompletionsBody } from './chat-completions-request.ts';
import { compatibleRateLimitHeaders, openRouterRateLimitBody } from './compatible-rate-limit-headers.ts';
import { argumentFragments, emulatedToolCallId } from './emulated-tool-call-id.ts';
import type { Failure } from './failure.ts';
import type {
  ChatRequest,
  HttpAnswer,
  ProviderDialect,
  RenderContext,
  RouteFacts,
  StreamPlan,
} from './provider-dialect.ts';
import { bearerToken, sseFrame } from './provider-dialect.ts';
import type { HeaderMap } from './rate-limit-headers.ts';
import { formatGoDuration, retryAfterHeaders } from './rate-limit-headers.ts';

interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function errorAnswer(status: number, error: OpenAIErrorBody, headers: HeaderMap = {}): HttpAnswer {
  return { status, headers, body: JSON.stringify({ error }) };
}

/** How OpenAI masks a key in its 401 message: first 3 and last 4 characters around asterisks. */
function maskLikeOpenAI(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}`;
}

const OVERLOADED: OpenAIErrorBody = {
  message: 'The server is overloaded or not ready yet.',
  type: 'server_error',
  param: null,
  code: null,
};

/**
 * The failure as the key's service answers it: OpenAI's bodies, except that OpenRouter's 429 copies its rate-limit
 * headers into the body, and only OpenAI sends `retry-after-ms` (the others send `retry-after` alone).
 */
function renderCompatibleFailure(failure: Failure, context: RenderContext): HttpAnswer {
  const answer = renderOpenAIFailure(failure, context);
  const dialect = context.rateLimits.dialect ?? 'openai';
  if (dialect === 'openai') return answer;
  const { 'retry-after-ms': _openAIOnly, ...headers } = answer.headers;
  if (dialect === 'openrouter' && failure.kind === 'rate_limited') {
    return {
      ...answer,
      headers,
      body: openRouterRateLimitBody(failure.period, context.request.model, context.rateLimits, context.now),
    };
  }
  return { ...answer, headers };
}

/** OpenAI's failure bodies, exactly as the real API words and shapes them. */
export function renderOpenAIFailure(failure: Failure, context: RenderContext): HttpAnswer {
  const model = context.request.model;
  switch (failure.kind) {
    case 'invalid_key':
    case 'leaked_key':
      if (failure.key === undefined) {
        return errorAnswer(401, {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          type: 'invalid_request_error',
          param: null,
          code: null,
        });
      }
      return errorAnswer(401, {
        message: `Incorrect API key provided: ${maskLikeOpenAI(failure.key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
    case 'rate_limited': {
      const unit =
        failure.dimension === 'tokens'
          ? 'tokens per min (TPM)'
          : failure.period === 'day'
            ? 'requests per day (RPD)'
            : 'requests per min (RPM)';
      return errorAnswer(
        429,
        {
          message: `Rate limit reached for ${model} in organization org-emulator on ${unit}: Limit ${failure.limit}, Used ${failure.used}, Requested ${failure.requested}.${failure.retryAfterMs === undefined ? '' : ` Please try again in ${formatGoDuration(failure.retryAfterMs)}.`} Visit https://platform.openai.com/account/rate-limits to learn more.`,
          type: failure.dimension,
          param: null,
          code: 'rate_limit_exceeded',
        },
        retryAfterHeaders(failure.retryAfterMs, true),
      );
    }
    case 'quota_exhausted':
      return errorAnswer(429, {
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      });
    case 'overloaded':
      return errorAnswer(503, OVERLOADED);
    case 'server_error':
      return errorAnswer(500, {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      });
    case 'context_length':
      return errorAnswer(400, {
        message: `This model's maximum context length is ${failure.contextWindow} tokens. However, your messages resulted in ${failure.promptTokens} tokens. Please reduce the length of the messages.`,
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      });
    case 'content_filter':
      return errorAnswer(400, {
        message:
          'Your request was rejected as a result of our safety system. Your request may contain content that is not allowed by our safety system.',
        type: 'invalid_request_error',
        param: null,
        code: 'content_policy_violation',
      });
    case 'not_found':
      return errorAnswer(404, {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      });
    case 'bad_request':
      return errorAnswer(400, {
        message: failure.message,
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
  }
}

function usageOf(answer: Answer): Record<string, unknown> {
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: answer.completionTokens,
    total_tokens: answer.promptTokens + answer.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function finishReason(answer: Answer): string {
  return answer.toolCalls ? 'tool_calls' : answer.truncated ? 'length' : 'stop';
}

function completionId(context: RenderContext): string {
  return `chatcmpl-${context.requestId.slice(4)}`;
}

/** The OpenAI chat-completions dialect, served at `/openai/v1/chat/completions`. */
export const openaiDialect: ProviderDialect = {
  provider: 'openai',
  readKey(headers) {
    return bearerToken(headers.authorization);
  },
  parseRequest(body: unknown, _facts: RouteFacts): ChatRequest | string {
    return parseChatCompletionsBody(body);
  },
  commonHeaders(context) {
    return {
      'x-request-id': context.requestId,
      ...compatibleRateLimitHeaders(context.rateLimits, context.now),
    };
  },
  renderFailure: renderCompatibleFailure,
  renderSuccess(answer, context) {
    return JSON.stringify({
      id: completionId(context),
      object: 'chat.completion',
      created: Math.floor(context.now / 1000),
      model: context.request.model,
      choices: [
        {
          index: 0,
          message: answer.toolCalls
            ? {
                role: 'assistant',
                content: null,
                tool_calls: answer.toolCalls.map((call, index) => ({
                  id: emulatedToolCallId('openai', context, index),
                  type: 'function',
                  function: { name: call.name, arguments: JSON.stringify(call.arguments) },
                })),
                refusal: null,
                annotations: [],
              }
            : { role: 'assistant', content: answer.text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason(answer),
        },
      ],
      usage: usageOf(answer),
      service_tier: 'default',
      system_fingerprint: 'fp_emulator',
    });
  },
  renderStream(answer, context, options): StreamPlan {
    const base = {
      id: completionId(context),
      object: 'chat.completion.chunk',
      created: Math.floor(context.now / 1000),
      model: context.request.model,
      service_tier: 'default',
      system_fingerprint: 'fp_emulator',
    };
    const usageNull = context.request.includeUsage ? { usage: null } : {};
    const chunk = (delta: Record<string, unknown>, finishReason: string | null): string =>
      sseFrame(
        JSON.stringify({
          ...base,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
          ...usageNull,
        }),
      );
    const tail = [chunk({}, finishReason(answer))];
    if (context.request.includeUsage) {
      tail.push(sseFrame(JSON.stringify({ ...base, choices: [], usage: usageOf(answer) })));
    }
    if (options.terminator) tail.push('data: [DONE]\n\n');
    return {
      head: [chunk({ role: 'assistant', content: '', refusal: null }, null)],
      content: answer.toolCalls
        ? answer.toolCalls.flatMap((call, index) => {
            const json = JSON.stringify(call.arguments);
            const id = emulatedToolCallId('openai', context, index);
            return [
              chunk(
                {
                  tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }],
                },
                null,
              ),
              ...argumentFragments(json).map((piece) =>
                chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null),
              ),
            ];
          })
        : answer.chunks.map((text) => chunk({ content: text }, null)),
      tail,
    };
  },
  malformedFrame() {
    return 'data: {"id":"chatcmpl-broken","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"con\n\n';
  },
  midStreamErrorFrame() {
    return sseFrame(JSON.stringify({ error: OVERLOADED }));
  },
};
