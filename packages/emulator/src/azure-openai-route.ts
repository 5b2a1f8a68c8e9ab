import { parseChatCompletionsBody } from './chat-completions-request.ts';
import type { Failure } from './failure.ts';
import { openaiDialect, renderOpenAIFailure } from './openai-route.ts';
import type {
  ChatRequest,
  HttpAnswer,
  ProviderDialect,
  RenderContext,
  RouteFacts,
} from './provider-dialect.ts';
import { bearerToken, headerValue, isRecord } from './provider-dialect.ts';
import type { HeaderMap } from './rate-limit-headers.ts';
import { retryAfterHeaders } from './rate-limit-headers.ts';

/** The API version the emulator names in its Azure messages when a request's own is unknown. */
const DEFAULT_API_VERSION = '2024-10-21';

function azureError(status: number, code: string, message: string, headers: HeaderMap = {}): HttpAnswer {
  return { status, headers, body: JSON.stringify({ error: { code, message } }) };
}

/**
 * Azure OpenAI's failure bodies: `{"error":{"code","message"}}` with Azure's own wording for a bad key, a rate limit
 * ("Please retry after N seconds", with `retry-after`), a missing deployment and the content filter; the other
 * failures are worded as OpenAI words them (Azure passes them through).
 */
export function renderAzureOpenAIFailure(failure: Failure, context: RenderContext): HttpAnswer {
  switch (failure.kind) {
    case 'invalid_key':
    case 'leaked_key':
      return azureError(
        401,
        '401',
        'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
      );
    case 'rate_limited': {
      const seconds = Math.max(1, Math.ceil((failure.retryAfterMs ?? 1_000) / 1000));
      const what = failure.dimension === 'tokens' ? 'token rate limit' : 'call rate limit';
      return azureError(
        429,
        '429',
        `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${DEFAULT_API_VERSION} have exceeded ${what} of your current OpenAI S0 pricing tier. Please retry after ${seconds} second${seconds === 1 ? '' : 's'}. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
        retryAfterHeaders(failure.retryAfterMs, true),
      );
    }
    case 'not_found':
      return azureError(
        404,
        'DeploymentNotFound',
        'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
      );
    case 'content_filter':
      return azureError(
        400,
        'content_filter',
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
      );
    default:
      return renderOpenAIFailure(failure, context);
  }
}

/**
 * The Azure OpenAI dialect, served at `/azure/openai/deployments/{deployment}/chat/completions?api-version=...`:
 * the key in the `api-key` header (or a Microsoft Entra token as `Authorization: Bearer`), the deployment in the path
 * (it is the model the emulator plays), OpenAI's body and stream formats, Azure's error bodies, and only the
 * `x-ratelimit-remaining-*` headers Azure sends.
 */
export const azureOpenAIDialect: ProviderDialect = {
  ...openaiDialect,
  provider: 'azure-openai',
  readKey(headers) {
    return headerValue(headers['api-key'])?.trim() || bearerToken(headers.authorization);
  },
  parseRequest(body: unknown, facts: RouteFacts): ChatRequest | string {
    const withModel = isRecord(body) && facts.model ? { ...body, model: facts.model } : body;
    return parseChatCompletionsBody(withModel);
  },
  commonHeaders(context) {
    const headers: HeaderMap = { 'apim-request-id': context.requestId, 'x-request-id': context.requestId };
    if (context.rateLimits.requests)
      headers['x-ratelimit-remaining-requests'] = String(context.rateLimits.requests.remaining);
    if (context.rateLimits.tokens)
      headers['x-ratelimit-remaining-tokens'] = String(context.rateLimits.tokens.remaining);
    return headers;
  },
  renderFailure: renderAzureOpenAIFailure,
};
