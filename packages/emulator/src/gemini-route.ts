import type { Answer } from './answer.ts';
import { emulatedToolCallId } from './emulated-tool-call-id.ts';
import type { Failure } from './failure.ts';
import { geminiFacts } from './gemini-facts.ts';
import type {
  ChatRequest,
  HttpAnswer,
  ProviderDialect,
  RenderContext,
  RouteFacts,
  StreamPlan,
} from './provider-dialect.ts';
import { contentText, headerValue, isRecord, numberField } from './provider-dialect.ts';
import { retryAfterSeconds } from './rate-limit-headers.ts';

const TYPE = 'type.googleapis.com/google.rpc.';

interface GoogleError {
  code: number;
  message: string;
  status: string;
  details?: Record<string, unknown>[];
}

function errorAnswer(error: GoogleError): HttpAnswer {
  return { status: error.code, headers: {}, body: JSON.stringify({ error }) };
}

const OVERLOADED: GoogleError = {
  code: 503,
  message: 'The model is overloaded. Please try again later.',
  status: 'UNAVAILABLE',
};

const QUOTA_HELP = {
  '@type': `${TYPE}Help`,
  links: [
    {
      description: 'Learn more about Gemini API quotas',
      url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
    },
  ],
};

function quotaExceeded(
  model: string,
  violation: { metric: string; quotaId: string; limit: number },
  retryAfterMs: number | undefined,
): HttpAnswer {
  const details: Record<string, unknown>[] = [
    {
      '@type': `${TYPE}QuotaFailure`,
      violations: [
        {
          quotaMetric: `generativelanguage.googleapis.com/${violation.metric}`,
          quotaId: violation.quotaId,
          quotaDimensions: { location: 'global', model },
          quotaValue: String(violation.limit),
        },
      ],
    },
    QUOTA_HELP,
  ];
  let retryText = '';
  if (retryAfterMs !== undefined) {
    const seconds = retryAfterSeconds(retryAfterMs);
    details.push({ '@type': `${TYPE}RetryInfo`, retryDelay: `${seconds}s` });
    retryText = `\nPlease retry in ${seconds}s.`;
  }
  return errorAnswer({
    code: 429,
    message: `You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. \n* Quota exceeded for metric: generativelanguage.googleapis.com/${violation.metric}, limit: ${violation.limit}, model: ${model}${retryText}`,
    status: 'RESOURCE_EXHAUSTED',
    details,
  });
}

function usageMetadata(answer: Answer, completionTokens: number | undefined): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    promptTokenCount: answer.promptTokens,
    totalTokenCount: answer.promptTokens + (completionTokens ?? 0),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: answer.promptTokens }],
  };
  if (completionTokens !== undefined) usage.candidatesTokenCount = completionTokens;
  return usage;
}

function responseId(context: RenderContext): string {
  return context.requestId.slice(4);
}

function blockedResponse(context: RenderContext): string {
  return JSON.stringify({
    promptFeedback: {
      blockReason: 'SAFETY',
      safetyRatings: [
        { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
        { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
        { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
        { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH' },
      ],
    },
    usageMetadata: {
      promptTokenCount: 0,
      totalTokenCount: 0,
    },
    modelVersion: context.request.model,
    responseId: responseId(context),
  });
}

/** The Gemini API's failure bodies (`{"error":{code, message, status, details}}`) with their real statuses. */
export function renderGeminiFailure(failure: Failure, context: RenderContext): HttpAnswer {
  const model = context.request.model;
  switch (failure.kind) {
    case 'invalid_key':
      if (failure.key === undefined) {
        return errorAnswer({
          code: 403,
          message:
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          status: 'PERMISSION_DENIED',
        });
      }
      return errorAnswer({
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': `${TYPE}ErrorInfo`,
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
            metadata: { service: 'generativelanguage.googleapis.com' },
          },
          {
            '@type': `${TYPE}LocalizedMessage`,
            locale: 'en-US',
            message: 'API key not valid. Please pass a valid API key.',
          },
        ],
      });
    case 'leaked_key':
      return errorAnswer({
        code: 403,
        message: 'Your API key was reported as leaked. Please use another API key.',
        status: 'PERMISSION_DENIED',
      });
    case 'rate_limited':
      if (failure.dimension === 'tokens') {
        return quotaExceeded(
          model,
          {
            metric: 'generate_content_free_tier_input_token_count',
            quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
            limit: failure.limit,
          },
          failure.retryAfterMs,
        );
      }
      return quotaExceeded(
        model,
        {
          metric: 'generate_content_free_tier_requests',
          quotaId:
            failure.period === 'day'
              ? 'GenerateRequestsPerDayPerProjectPerModel-FreeTier'
              : 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
          limit: failure.limit,
        },
        failure.retryAfterMs,
      );
    case 'quota_exhausted':
      return quotaExceeded(
        model,
        {
          metric: 'generate_content_free_tier_requests',
          quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
          limit: 0,
        },
        undefined,
      );
    case 'overloaded':
      return errorAnswer(OVERLOADED);
    case 'server_error':
      return errorAnswer({
        code: 500,
        message:
          'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
        status: 'INTERNAL',
      });
    case 'context_length':
      return errorAnswer({
        code: 400,
        message: `The input token count (${failure.promptTokens}) exceeds the maximum number of tokens allowed (${failure.contextWindow}).`,
        status: 'INVALID_ARGUMENT',
      });
    case 'content_filter': {
      const body = blockedResponse(context);
      if (context.request.stream) {
        return {
          status: 200,
          headers: { 'content-type': 'text/event-stream; charset=utf-8' },
          body: `data: ${body}\r\n\r\n`,
        };
      }
      return { status: 200, headers: {}, body };
    }
    case 'not_found':
      return errorAnswer({
        code: 404,
        message: `models/${model} is not found for API version v1, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
        status: 'NOT_FOUND',
      });
    case 'bad_request':
      return errorAnswer({ code: 400, message: failure.message, status: 'INVALID_ARGUMENT' });
  }
}

function parseGenerateContentBody(body: unknown, facts: RouteFacts): ChatRequest | string {
  if (!isRecord(body)) return 'Invalid JSON payload received. Expected an object.';
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    return '* GenerateContentRequest.contents: contents is not specified\n';
  }
  let promptText = isRecord(body.systemInstruction) ? contentText(body.systemInstruction.parts) : '';
  let lastUserText = '';
  let prefill: string | undefined;
  for (const item of body.contents) {
    if (!isRecord(item)) continue;
    const text = contentText(item.parts);
    promptText += text;
    if (item.role === 'user' || item.role === undefined) lastUserText = text;
    prefill = item.role === 'model' ? text : undefined;
  }
  const generationConfig = isRecord(body.generationConfig) ? body.generationConfig : {};
  const conversation = geminiFacts(body);
  if (typeof conversation === 'string') return conversation;
  return {
    model: facts.model ?? '',
    stream: facts.stream ?? false,
    promptText,
    lastUserText,
    maxTokens: numberField(generationConfig.maxOutputTokens),
    includeUsage: true,
    facts: conversation,
    ...(prefill !== undefined ? { prefill } : {}),
  };
}

function answerParts(answer: Answer, context: RenderContext): Record<string, unknown>[] {
  if (!answer.toolCalls) return [{ text: answer.text }];
  return answer.toolCalls.map((call, index) => ({
    functionCall: { id: emulatedToolCallId('gemini', context, index), name: call.name, args: call.arguments },
  }));
}

function frame(data: Record<string, unknown>): string {
  return `data: ${JSON.stringify(data)}\r\n\r\n`;
}

/**
 * The Gemini API dialect, served at `/gemini/v1/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`
 * (also under v1beta). The key is read from `x-goog-api-key` or the `key` query parameter.
 */
export const geminiDialect: ProviderDialect = {
  provider: 'gemini',
  readKey(headers, query) {
    return headerValue(headers['x-goog-api-key']) || query.get('key') || undefined;
  },
  parseRequest(body, facts) {
    return parseGenerateContentBody(body, facts);
  },
  commonHeaders() {
    return {};
  },
  renderFailure: renderGeminiFailure,
  renderSuccess(answer, context) {
    return JSON.stringify({
      candidates: [
        {
          content: { parts: answerParts(answer, context), role: 'model' },
          finishReason: answer.truncated ? 'MAX_TOKENS' : 'STOP',
          index: 0,
        },
      ],
      usageMetadata: usageMetadata(answer, answer.completionTokens),
      modelVersion: context.request.model,
      responseId: responseId(context),
    });
  },
  renderStream(answer, context, options): StreamPlan {
    // Gemini streams function calls whole: one chunk holds them all.
    const chunks: Record<string, unknown>[][] = answer.toolCalls
      ? [answerParts(answer, context)]
      : answer.chunks.map((text) => [{ text }]);
    const last = chunks.length - 1;
    const content = chunks.map((parts, index) => {
      const candidate: Record<string, unknown> = { content: { parts, role: 'model' }, index: 0 };
      const final = index === last;
      if (final && options.terminator) candidate.finishReason = answer.truncated ? 'MAX_TOKENS' : 'STOP';
      return frame({
        candidates: [candidate],
        usageMetadata: usageMetadata(answer, final ? answer.completionTokens : undefined),
        modelVersion: context.request.model,
        responseId: responseId(context),
      });
    });
    return { head: [], content, tail: [] };
  },
  malformedFrame() {
    return 'data: {"candidates":[{"content":{"parts":[{"text":"broken\r\n\r\n';
  },
  midStreamErrorFrame() {
    return frame({ error: OVERLOADED });
  },
};
