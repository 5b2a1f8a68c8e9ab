import {
  type ClassifiedError,
  firstHeader,
  type HeaderSource,
  IncompleteAnswerError,
  matchRateLimitWording,
  parseRetryAfter,
  type RateLimitWordingTable,
  UnsupportedFeatureError,
} from '@keypool/core';
import { isMistralMonthSpent, parseMistralRateLimitHeaders } from './mistral-rate-limit';
import { MISTRAL_RATE_LIMIT_WORDING } from './mistral-rate-limit-wording';
import { scrubKeyLike } from './scrub-key-like';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const NETWORK_MESSAGE = /^(fetch failed|failed to fetch|terminated|other side closed|network error)/i;
const MONTHLY = /month|usage limit|quota|billing|credit|spend/i;
const CAPACITY = /capacity exceeded|overloaded|service unavailable/i;
const CONTEXT = /context length|too large for model|maximum context|context window|too many tokens/i;
const MODERATION = /moderation|content policy|flagged|safety/i;
const MODEL_NOT_FOUND = /invalid model|model .*not found|no such model|unknown model|model .*does not exist/i;
const MAX_MESSAGE = 500;

/** What the mapper reads from any thrown value, whatever its shape. */
interface ErrorFacts {
  name: string;
  message: string;
  status: number | undefined;
  headers: HeaderSource;
  bodyText: string | undefined;
  body: Record<string, unknown> | undefined;
  /** The provider's own message from the body (`message`, `detail`, `error.message`). */
  providerMessage: string | undefined;
  providerCode: string | undefined;
  providerType: string | undefined;
  causeName: string | undefined;
  causeCode: string | undefined;
  causeMessage: string | undefined;
  rawMessage: string | undefined;
}

/**
 * Classifies anything the Mistral SDK (or a stream it feeds) threw into the shared categories, with the hints the
 * provider gave: `retryAfterMs` (retry-after), `quotaScope` (minute / month), `requestId`
 * (`mistral-correlation-id`, `x-kong-request-id`, or the body's `request_id`), `rateLimit` (the error's
 * `x-ratelimit-*` headers), `modelNotFound` and `filterReason`. Pure: it reads the error and never throws; the
 * message it returns has every key-like string masked.
 *
 * Errors are recognised by `name` and shape, not `instanceof`, so two installed copies of the SDK both work. A
 * 400/403/503 that says it is a rate limit or a spent quota is classified through `wording` (status, then code,
 * then wording).
 */
export function classifyMistralError(
  error: unknown,
  wording: RateLimitWordingTable = MISTRAL_RATE_LIMIT_WORDING,
): ClassifiedError {
  // Thrown before any request: the same request would fail on every key.
  if (UnsupportedFeatureError.isInstance(error))
    return { category: 'invalid_request', message: error.message };
  const facts = readFacts(error);
  const status = facts.status;
  const text = `${facts.providerMessage ?? ''} ${facts.providerType ?? ''}`;
  const worded = matchRateLimitWording(
    {
      status,
      codes: [facts.providerCode, facts.providerType],
      text: facts.providerMessage ?? facts.bodyText ?? '',
    },
    wording,
  );
  const http = (category: ClassifiedError['category'], extra: Partial<ClassifiedError> = {}) =>
    httpClassification(facts, category, extra);

  switch (true) {
    case IncompleteAnswerError.isInstance(error):
      return { category: 'server', message: error.message, code: 'incomplete_answer' };
    // Client side: the caller's abort, the SDK's own timeout, the connection.
    case facts.name === 'RequestAbortedError' || facts.name === 'AbortError':
      return plain(facts, 'aborted');
    case facts.name === 'RequestTimeoutError' || facts.name === 'TimeoutError':
      return plain(facts, 'timeout');
    case facts.name === 'ConnectionError' || isNetworkLike(facts):
      return plain(facts, 'network');
    // Validation: a request the SDK refused to send is the caller's; an answer it received (and was billed for) but
    // could not validate is `invalid_response`, not sent again; a raw ZodError comes from a broken stream event.
    case facts.name === 'SDKValidationError' && /^input validation/i.test(facts.rawMessage ?? ''):
    case facts.name === 'InvalidRequestError':
      return plain(facts, 'invalid_request');
    // A 2xx body with no answer at all (`{}`, no choices, or choices that never finished) is the server's failure:
    // nothing whole was delivered, another key or provider may answer. One that carries an answer the SDK cannot
    // validate was delivered (and billed).
    case (facts.name === 'SDKValidationError' || facts.name === 'ResponseValidationError') &&
      (facts.status === undefined || facts.status < 400) &&
      facts.body !== undefined &&
      !carriesChoices(facts.body):
      return plain(facts, 'server');
    case (facts.name === 'SDKValidationError' || facts.name === 'ResponseValidationError') &&
      (facts.status === undefined || facts.status < 400):
      return plain(facts, 'invalid_response');
    case facts.name === 'ZodError':
      return plain(facts, 'server');
    // HTTP answers, most specific first. A 2xx the SDK could not read (plain text, HTML, a cut stream) is the
    // server's fault: another key or provider may answer properly.
    case status === undefined:
      return plain(facts, 'server');
    case status !== undefined && status >= 200 && status < 300:
      return http('server');
    case worded === 'rate_limit':
      return http('rate_limit', { quotaScope: 'minute' });
    case worded === 'quota_exhausted':
      return http('quota_exhausted', { quotaScope: 'unknown' });
    case status === 401 || status === 403:
      return http('auth');
    case CAPACITY.test(text):
      return http('overloaded');
    case status === 429 && (MONTHLY.test(text) || isMistralMonthSpent(facts.headers)):
      return http('quota_exhausted', { quotaScope: 'month' });
    case status === 429:
      return http('rate_limit', { quotaScope: 'minute' });
    case status === 402:
      return http('quota_exhausted', { quotaScope: 'unknown' });
    case status === 503 || status === 529:
      return http('overloaded');
    case facts.providerCode === '3051' || CONTEXT.test(text):
      return http('context_length');
    case facts.providerCode === '3052' || MODERATION.test(text):
      return http('content_filter', { filterReason: facts.providerMessage ?? 'content moderation' });
    case facts.providerType === 'invalid_model' ||
      facts.providerCode === '1500' ||
      MODEL_NOT_FOUND.test(text) ||
      (status === 404 && /model/i.test(text)):
      return http('invalid_request', { modelNotFound: true });
    case status === 408:
      return http('timeout');
    case (status ?? 0) >= 500:
      return http('server');
    default:
      return http('invalid_request');
  }
}

function plain(facts: ErrorFacts, category: ClassifiedError['category']): ClassifiedError {
  const detail =
    facts.causeMessage && !facts.message.includes(facts.causeMessage)
      ? `${facts.message} (${facts.causeMessage})`
      : facts.message;
  return { category, message: clip(`${facts.name}: ${detail}`) };
}

function httpClassification(
  facts: ErrorFacts,
  category: ClassifiedError['category'],
  extra: Partial<ClassifiedError>,
): ClassifiedError {
  const status = facts.status ?? 0;
  const said = facts.providerMessage ?? facts.bodyText?.trim() ?? facts.message;
  const result: ClassifiedError = { category, message: clip(`${status} ${said || 'no body'}`), status };
  const code = facts.providerCode ?? facts.providerType;
  if (code !== undefined) result.code = code;
  const retryAfterMs = parseRetryAfter(facts.headers);
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  const requestId =
    firstHeader(facts.headers, 'mistral-correlation-id') ??
    firstHeader(facts.headers, 'x-kong-request-id') ??
    (typeof facts.body?.request_id === 'string' ? facts.body.request_id : undefined);
  if (requestId !== undefined) result.requestId = requestId;
  const rateLimit = parseMistralRateLimitHeaders(facts.headers);
  if (rateLimit !== undefined) result.rateLimit = rateLimit;
  return { ...result, ...extra };
}

function clip(text: string): string {
  const scrubbed = scrubKeyLike(text.replace(/\s+/g, ' ').trim());
  return scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE)}...` : scrubbed;
}

function isNetworkLike(facts: ErrorFacts): boolean {
  if (facts.name === 'TypeError' && NETWORK_MESSAGE.test(facts.message)) return true;
  if (facts.causeCode !== undefined && NETWORK_CODES.has(facts.causeCode)) return true;
  if (facts.name === 'UnexpectedClientError' && facts.causeName === 'TypeError')
    return NETWORK_MESSAGE.test(facts.causeMessage ?? '');
  return false;
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function readFacts(error: unknown): ErrorFacts {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name =
    typeof record.name === 'string'
      ? record.name
      : error === undefined || error === null
        ? 'UnknownError'
        : typeof error;
  const message =
    typeof record.message === 'string' ? record.message : typeof error === 'string' ? error : 'unknown error';
  const status = typeof record.statusCode === 'number' ? record.statusCode : undefined;
  const bodyText = typeof record.body === 'string' ? record.body : undefined;
  let body: Record<string, unknown> | undefined;
  if (bodyText !== undefined) {
    try {
      const parsed: unknown = JSON.parse(bodyText);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
  }
  const cause = (typeof record.cause === 'object' && record.cause !== null ? record.cause : {}) as Record<
    string,
    unknown
  >;
  const causeCause = (typeof cause.cause === 'object' && cause.cause !== null ? cause.cause : {}) as Record<
    string,
    unknown
  >;
  return {
    name,
    message,
    status,
    headers: (record.headers as HeaderSource) ?? undefined,
    bodyText,
    body,
    providerMessage: providerMessageOf(body),
    providerCode: stringOf(body?.code),
    providerType: stringOf(body?.type),
    causeName: typeof cause.name === 'string' ? cause.name : undefined,
    causeCode: stringOf(cause.code) ?? stringOf(causeCause.code) ?? stringOf(record.code),
    causeMessage: typeof cause.message === 'string' ? cause.message : undefined,
    rawMessage: typeof record.rawMessage === 'string' ? record.rawMessage : undefined,
  };
}

function providerMessageOf(body: Record<string, unknown> | undefined): string | undefined {
  if (!body) return undefined;
  if (typeof body.message === 'string') return body.message;
  if (typeof body.detail === 'string') return body.detail;
  if (Array.isArray(body.detail)) {
    const parts = body.detail
      .map((item) => (item && typeof item === 'object' ? (item as Record<string, unknown>).msg : undefined))
      .filter((item): item is string => typeof item === 'string');
    if (parts.length > 0) return parts.join('; ');
  }
  const inner = body.error;
  if (inner && typeof inner === 'object' && typeof (inner as Record<string, unknown>).message === 'string')
    return (inner as Record<string, string>).message;
  return undefined;
}

/** True when a chat answer's body holds at least one choice (an answer was delivered, however malformed). */
/** True for a body that carries a finished answer: a choice with its `finish_reason` (one without never ended). */
function carriesChoices(body: Record<string, unknown>): boolean {
  return (
    Array.isArray(body.choices) &&
    body.choices.some(
      (choice: unknown) =>
        typeof choice === 'object' &&
        choice !== null &&
        typeof (choice as { finish_reason?: unknown }).finish_reason === 'string',
    )
  );
}
