import {
  type ClassifiedError,
  firstHeader,
  type HeaderSource,
  IncompleteAnswerError,
  matchRateLimitWording,
  parseDuration,
  parseRetryAfter,
  type RateLimitInfo,
  type RateLimitWordingTable,
  UnsupportedFeatureError,
} from '@keypool/core';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ContentFilterFinishReasonError,
  OpenAIError,
} from 'openai/core/error';
import { maskKeyLikeSecrets } from './mask-key-like';
import { parseOpenAIRateLimitHeaders } from './openai-rate-limit';
import { OPENAI_RATE_LIMIT_WORDING } from './openai-rate-limit-wording';
import { RATE_LIMIT_DIALECTS, type RateLimitDialect } from './rate-limit-dialect';

/** Codes OpenAI sends with a 429 when the account's money, not its rate, has run out. */
const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active']);
/** Codes of a request the provider's safety system refused (OpenAI, and Azure OpenAI's `content_filter`). */
const FILTER_CODES = new Set(['content_policy_violation', 'content_filter']);
const MESSAGE_LIMIT = 500;

/**
 * Classifies anything an `openai` SDK call threw into the shared categories, with the hints OpenAI gave:
 * retry-after (`retry-after-ms`, `retry-after`, the message's "Please try again in 1.4s", else the reset headers),
 * quota scope, request id, rate-limit headers, model-not-found and the content filter's reason. Structured output
 * that `parse()` cannot parse or validate is `invalid_response`; a cut or filtered answer (LengthFinishReasonError,
 * ContentFilterFinishReasonError) stays `invalid_request` / `content_filter`. A 400/403/503 that says it is a rate
 * limit or a spent quota (as OpenAI-compatible hosts do) is classified through `wording` (status, then code, then
 * wording). Pure: it reads the error and returns a new object; every message is masked of anything like a key.
 * `dialect` (default OpenAI's) reads the error's rate-limit headers (and body, for OpenRouter): with another dialect,
 * a 429 that names no wait gets `resetAt` from the spent budget's reset.
 */
export function classifyOpenAIError(
  error: unknown,
  now: number = Date.now(),
  wording: RateLimitWordingTable = OPENAI_RATE_LIMIT_WORDING,
  dialect: RateLimitDialect = RATE_LIMIT_DIALECTS.openai,
): ClassifiedError {
  // Thrown before any request: the same request would fail on every key.
  if (UnsupportedFeatureError.isInstance(error))
    return { category: 'invalid_request', message: error.message };
  const api = readApiError(error);
  const status = api?.status;
  const code = api?.code ?? api?.type;
  const base: ClassifiedError = {
    category: 'server',
    message: describe(error, status),
    ...(status !== undefined ? { status } : {}),
    ...(code ? { code } : {}),
    ...(api?.requestId ? { requestId: api.requestId } : {}),
  };
  const rateLimit = api?.status !== undefined ? readRateLimit(error, api.headers, now, dialect) : undefined;
  if (rateLimit) base.rateLimit = rateLimit;
  const worded = api
    ? matchRateLimitWording(
        { status, codes: [api.code, api.type], text: api.message ?? describe(error, status) },
        wording,
      )
    : undefined;

  switch (true) {
    case IncompleteAnswerError.isInstance(error):
      return { category: 'server', message: error.message, code: 'incomplete_answer' };
    case error instanceof APIUserAbortError || isDomError(error, 'AbortError'):
      return { ...base, category: 'aborted' };
    case error instanceof APIConnectionTimeoutError || isDomError(error, 'TimeoutError'):
      return { ...base, category: 'timeout' };
    case error instanceof APIConnectionError || isTransportFailure(error):
      return { ...base, category: 'network' };
    case QUOTA_CODES.has(api?.code ?? '') || QUOTA_CODES.has(api?.type ?? ''):
      return { ...base, category: 'quota_exhausted', quotaScope: 'unknown' };
    case worded === 'quota_exhausted':
      return { ...base, category: 'quota_exhausted', quotaScope: 'unknown' };
    case status === 429 || worded === 'rate_limit': {
      const retryAfterMs = rateLimitWait(api, now);
      const quotaScope = rateLimitScope(api?.message ?? '');
      const resetAt =
        retryAfterMs === undefined && dialect !== RATE_LIMIT_DIALECTS.openai
          ? spentReset(rateLimit, now)
          : undefined;
      return {
        ...base,
        category: 'rate_limit',
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        ...(resetAt !== undefined ? { resetAt } : {}),
        ...(quotaScope ? { quotaScope } : {}),
      };
    }
    case api?.code === 'context_length_exceeded' || /maximum context length/i.test(api?.message ?? ''):
      return { ...base, category: 'context_length' };
    case FILTER_CODES.has(api?.code ?? ''):
      return { ...base, category: 'content_filter', filterReason: maskKeyLikeSecrets(api?.message ?? '') };
    case error instanceof ContentFilterFinishReasonError:
      return { ...base, category: 'content_filter', filterReason: 'finish_reason content_filter' };
    case status === 401 || status === 403:
      return { ...base, category: 'auth' };
    case status === 404 &&
      (api?.code === 'model_not_found' ||
        api?.code === 'DeploymentNotFound' || // Azure OpenAI: the deployment is the model
        /\bmodel\b.*does not exist/i.test(api?.message ?? '')):
      return { ...base, category: 'invalid_request', modelNotFound: true };
    case status === 503 ||
      ((status === undefined || status >= 500) && /overloaded/i.test(api?.message ?? '')):
      return { ...base, category: 'overloaded' };
    case status !== undefined && (status >= 500 || status === 408):
      return { ...base, category: 'server' };
    case status !== undefined && status >= 400:
      return { ...base, category: 'invalid_request' };
    case api !== undefined:
      // A response-less APIError: an `error` event in the middle of a stream.
      return { ...base, category: 'server' };
    case isUnusableAnswer(error):
      // `parse()` received the answer (billed) but its structured output does not parse or fit the schema.
      return { ...base, category: 'invalid_response', message: describeUnusableAnswer(error, base.message) };
    case error instanceof OpenAIError:
      // Raised by the SDK itself, not the API (bad parameters, a parse or length failure): another key cannot help.
      return { ...base, category: 'invalid_request' };
    default:
      return base;
  }
}

/** What the mapper reads from an SDK `APIError` (or a look-alike from another copy of the SDK). */
interface ApiErrorFacts {
  status: number | undefined;
  headers: HeaderSource;
  code: string | undefined;
  type: string | undefined;
  message: string | undefined;
  requestId: string | undefined;
}

function readApiError(error: unknown): ApiErrorFacts | undefined {
  if (error instanceof APIConnectionError || error instanceof APIUserAbortError) return undefined;
  const lookAlike =
    typeof error === 'object' &&
    error !== null &&
    'status' in error &&
    'headers' in error &&
    'error' in error &&
    (typeof (error as { status: unknown }).status === 'number' ||
      (error as { status: unknown }).status === undefined);
  if (!(error instanceof APIError) && !lookAlike) return undefined;
  const candidate = error as {
    status?: unknown;
    headers?: unknown;
    error?: unknown;
    code?: unknown;
    type?: unknown;
    requestID?: unknown;
  };
  const body = (typeof candidate.error === 'object' && candidate.error !== null ? candidate.error : {}) as {
    message?: unknown;
  };
  const headers = candidate.headers as HeaderSource;
  return {
    status: typeof candidate.status === 'number' ? candidate.status : undefined,
    headers,
    code: stringOrUndefined(candidate.code),
    type: stringOrUndefined(candidate.type),
    message: stringOrUndefined(body.message),
    requestId: stringOrUndefined(candidate.requestID) ?? firstHeader(headers, 'x-request-id'),
  };
}

/** The error's rate-limit headers in the service's dialect, completed by what its body says (OpenRouter's copy). */
function readRateLimit(
  error: unknown,
  headers: HeaderSource,
  now: number,
  dialect: RateLimitDialect,
): RateLimitInfo | undefined {
  if (dialect === RATE_LIMIT_DIALECTS.openai) return parseOpenAIRateLimitHeaders(headers, now);
  const fromHeaders = dialect.parse(headers, now);
  const body = (error as { error?: unknown }).error;
  const fromBody =
    dialect.parseErrorBody && typeof body === 'object' && body !== null
      ? dialect.parseErrorBody(JSON.stringify({ error: body }), now)
      : undefined;
  return fromBody ? { ...fromHeaders, ...fromBody } : fromHeaders;
}

/** When the budget the answer said is spent (nothing remaining) frees, the later of the two when both are. */
function spentReset(info: RateLimitInfo | undefined, now: number): number | undefined {
  const resets = [info?.requests, info?.tokens]
    .filter((budget) => budget?.remaining === 0 && budget.resetAt !== undefined && budget.resetAt > now)
    .map((budget) => budget!.resetAt!);
  return resets.length > 0 ? Math.max(...resets) : undefined;
}

/** The provider's wait for a 429: retry-after headers, then the message's "try again in", then the reset headers. */
function rateLimitWait(api: ApiErrorFacts | undefined, now: number): number | undefined {
  if (!api) return undefined;
  const fromHeaders = parseRetryAfter(api.headers, now);
  if (fromHeaders !== undefined) return fromHeaders;
  const inMessage = /try again in ((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)/i.exec(api.message ?? '');
  const fromMessage = parseDuration(inMessage?.[1]);
  if (fromMessage !== undefined) return fromMessage;
  const requests = parseDuration(firstHeader(api.headers, 'x-ratelimit-reset-requests'));
  const tokens = parseDuration(firstHeader(api.headers, 'x-ratelimit-reset-tokens'));
  if (api.type === 'tokens' && tokens !== undefined) return tokens;
  if (api.type === 'requests' && requests !== undefined) return requests;
  const spentRequests = firstHeader(api.headers, 'x-ratelimit-remaining-requests') === '0';
  const spentTokens = firstHeader(api.headers, 'x-ratelimit-remaining-tokens') === '0';
  if (spentRequests && !spentTokens && requests !== undefined) return requests;
  if (spentTokens && !spentRequests && tokens !== undefined) return tokens;
  if (requests === undefined) return tokens;
  return tokens === undefined ? requests : Math.max(requests, tokens);
}

function rateLimitScope(message: string): ClassifiedError['quotaScope'] {
  // OpenAI: "on requests per day (RPD)"; OpenRouter: "Rate limit exceeded: free-models-per-day".
  if (/per[ -]day|\(RPD\)|\(TPD\)/i.test(message)) return 'day';
  if (/per[ -]min|\(RPM\)|\(TPM\)/i.test(message)) return 'minute';
  return undefined;
}

/** A safe, short message: key-like strings masked, HTML error pages reduced to their title. */
function describe(error: unknown, status: number | undefined): string {
  let text: string;
  if (error instanceof Error) text = error.message || error.name;
  else if (typeof error === 'string') text = error;
  else if (error === undefined || error === null) text = `unknown error (${String(error)})`;
  else text = `unknown error (${typeof error})`;
  if (/<html|<!doctype/i.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    const body = text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    text = `${status ?? ''} HTML error page: ${title || body}`.trim();
  }
  const masked = maskKeyLikeSecrets(text);
  return masked.length > MESSAGE_LIMIT ? `${masked.slice(0, MESSAGE_LIMIT)}...` : masked;
}

/** The failures of the SDK's structured-output parsing: its SyntaxError, or the schema's ZodError (v3 or v4). */
function isUnusableAnswer(error: unknown): boolean {
  if (error instanceof SyntaxError) return /invalid structured output/i.test(error.message);
  if (typeof error !== 'object' || error === null) return false;
  const { name, issues } = error as { name?: unknown; issues?: unknown };
  return (name === 'ZodError' || name === '$ZodError') && Array.isArray(issues);
}

/** A ZodError as `ZodError: path: problem; ...` (its own message is a JSON dump of the issues). */
function describeUnusableAnswer(error: unknown, fallback: string): string {
  const issues = (error as { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return fallback;
  const parts = issues.slice(0, 5).map((issue: { path?: unknown; message?: unknown }) => {
    const path = Array.isArray(issue.path) && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return `${path}${String(issue.message ?? 'invalid')}`;
  });
  return maskKeyLikeSecrets(`ZodError: structured output does not fit the schema (${parts.join('; ')})`);
}

function isDomError(error: unknown, name: 'AbortError' | 'TimeoutError'): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === name &&
    !(error instanceof APIError)
  );
}

/** Errors the platform's fetch throws when the connection breaks (e.g. undici's "terminated" mid-stream). */
function isTransportFailure(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  return /terminated|fetch failed|network|socket|ECONNRESET|ECONNREFUSED|other side closed/i.test(
    `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`,
  );
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
