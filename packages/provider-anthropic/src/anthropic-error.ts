import {
  AnthropicError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import {
  type ClassifiedError,
  matchRateLimitWording,
  parseRetryAfter,
  type RateLimitWordingTable,
  UnsupportedFeatureError,
} from '@keypool/core';
import { parseAnthropicRateLimitHeaders } from './anthropic-rate-limit.ts';
import { ANTHROPIC_RATE_LIMIT_WORDING } from './anthropic-rate-limit-wording.ts';
import { redactSecrets } from './redact-secrets.ts';

/** What the classifier reads from anything a call threw. */
interface ErrorFacts {
  /** Where the error came from: an HTTP answer (or a mid-stream error event), the SDK itself, or elsewhere. */
  origin: 'abort' | 'timeout' | 'connection' | 'api' | 'sdk' | 'unknown';
  /** HTTP status; undefined for a mid-stream `event: error`. */
  status: number | undefined;
  /** `error.type` of the body (`rate_limit_error`, `overloaded_error`, ...). */
  type: string | undefined;
  /** `error.details.error_code` of the body (`enforced_spend_limit_reached`, ...). */
  errorCode: string | undefined;
  /** `error.message` of the body, else the error's own message. */
  text: string;
  headers: Headers | undefined;
  requestId: string | undefined;
}

const SPEND_LIMIT_CODES = new Set([
  'enforced_spend_limit_reached',
  'contract_spend_limit_reached',
  'linked_organization_spend_limit_reached',
  'linked_organization_billing_unavailable',
]);
const CONTEXT_LENGTH = /prompt is too long|exceed context limit|context window|too many (input )?tokens/i;
const STRUCTURED_OUTPUT_FAILURE = /failed to parse structured output/i;
const CONTENT_FILTER = /content filtering policy|output blocked/i;
const CREDIT_TOO_LOW = /credit balance is too low/i;
const ORGANIZATION_DISABLED = /organization has been disabled|organization_on_hold|organization is on hold/i;
const REGAIN_ACCESS = /regain access on (\d{4}-\d{2}-\d{2})(?: at (\d{2}:\d{2}))? UTC/i;

/**
 * Classifies anything an `@anthropic-ai/sdk` call threw into Keypool's shared categories, with the hints the API
 * gave (retry-after, reset time, request id, rate-limit headers). Pure: it reads the error and never changes it.
 * A 400/403/503 that says it is a rate limit or a spent quota is classified through `wording` (status, then code,
 * then wording). The returned message holds no secret.
 */
export function classifyAnthropicError(
  error: unknown,
  wording: RateLimitWordingTable = ANTHROPIC_RATE_LIMIT_WORDING,
): ClassifiedError {
  // Thrown before any request: the same request would fail on every key.
  if (UnsupportedFeatureError.isInstance(error))
    return { category: 'invalid_request', message: error.message };
  const facts = readFacts(error);
  const { status, type, errorCode, text } = facts;
  const worded =
    facts.origin === 'api'
      ? matchRateLimitWording({ status, codes: [type, errorCode], text }, wording)
      : undefined;
  switch (true) {
    case facts.origin === 'abort':
      return classified(facts, 'aborted');
    case facts.origin === 'timeout':
      return classified(facts, 'timeout');
    case facts.origin === 'connection':
      return classified(facts, 'network');
    // Spent money, not a busy minute: 429 enforced/contract spend limits, 402 billing, the old 400 "credit balance".
    case errorCode !== undefined && SPEND_LIMIT_CODES.has(errorCode):
    case status === 402 || type === 'billing_error':
    case status === 400 && CREDIT_TOO_LOW.test(text):
      return classified(facts, 'quota_exhausted', quotaHints(facts));
    case worded === 'quota_exhausted':
      return classified(facts, 'quota_exhausted', quotaHints(facts));
    case status === 429 || type === 'rate_limit_error' || worded === 'rate_limit':
      return classified(facts, 'rate_limit', rateLimitHints(facts));
    case status === 401 || status === 403 || type === 'authentication_error' || type === 'permission_error':
    case errorCode === 'organization_on_hold' || (status === 400 && ORGANIZATION_DISABLED.test(text)):
      return classified(facts, 'auth');
    case status === 529 || status === 503 || type === 'overloaded_error':
      return classified(facts, 'overloaded', retryHint(facts));
    case (status === 400 || status === 413) && CONTEXT_LENGTH.test(text):
      return classified(facts, 'context_length');
    case status === 400 && CONTENT_FILTER.test(text):
      return classified(facts, 'content_filter', { filterReason: text });
    case status === 404 && /^model:/i.test(text):
      return classified(facts, 'invalid_request', { modelNotFound: true });
    case status === 408:
      return classified(facts, 'timeout');
    case status === 499:
      return classified(facts, 'network');
    case status !== undefined && status >= 500:
    case facts.origin === 'api' && status === undefined:
      return classified(facts, 'server', retryHint(facts));
    // `messages.parse()` received the answer (billed) but its structured output does not parse or fit the schema.
    case facts.origin === 'sdk' && STRUCTURED_OUTPUT_FAILURE.test(facts.text):
      return classified(facts, 'invalid_response');
    case status !== undefined && status >= 400:
    case facts.origin === 'sdk':
      return classified(facts, 'invalid_request');
    default:
      return classified(facts, 'server');
  }
}

function classified(
  facts: ErrorFacts,
  category: ClassifiedError['category'],
  hints: Partial<ClassifiedError> = {},
): ClassifiedError {
  const result: ClassifiedError = { category, message: messageOf(facts) };
  if (facts.status !== undefined) result.status = facts.status;
  const code = facts.errorCode ?? facts.type;
  if (code !== undefined) result.code = code;
  if (facts.requestId !== undefined) result.requestId = facts.requestId;
  const rateLimit = parseAnthropicRateLimitHeaders(facts.headers);
  if (rateLimit) result.rateLimit = rateLimit;
  return { ...result, ...hints };
}

function retryHint(facts: ErrorFacts): Partial<ClassifiedError> {
  const retryAfterMs = parseRetryAfter(facts.headers);
  return retryAfterMs === undefined ? {} : { retryAfterMs };
}

function rateLimitHints(facts: ErrorFacts): Partial<ClassifiedError> {
  const hints: Partial<ClassifiedError> = { ...retryHint(facts), quotaScope: 'minute' };
  const info = parseAnthropicRateLimitHeaders(facts.headers);
  const spent = [info?.requests, info?.tokens].filter((budget) => budget?.remaining === 0);
  const resetAt = Math.max(...spent.map((budget) => budget?.resetAt ?? 0));
  if (resetAt > 0) hints.resetAt = resetAt;
  return hints;
}

function quotaHints(facts: ErrorFacts): Partial<ClassifiedError> {
  const hints: Partial<ClassifiedError> = { ...retryHint(facts), quotaScope: 'unknown' };
  const regain = REGAIN_ACCESS.exec(facts.text);
  if (regain) {
    const resetAt = Date.parse(`${regain[1]}T${regain[2] ?? '00:00'}:00Z`);
    if (!Number.isNaN(resetAt)) hints.resetAt = resetAt;
  }
  if (facts.errorCode === 'enforced_spend_limit_reached') hints.quotaScope = 'month';
  return hints;
}

function messageOf(facts: ErrorFacts): string {
  const prefix = [facts.status, facts.errorCode ?? facts.type].filter((part) => part !== undefined).join(' ');
  const text = facts.text.length > 500 ? `${facts.text.slice(0, 500)}...` : facts.text;
  return redactSecrets(prefix ? `${prefix}: ${text}` : text);
}

function readFacts(error: unknown): ErrorFacts {
  const facts: ErrorFacts = {
    origin: 'unknown',
    status: undefined,
    type: undefined,
    errorCode: undefined,
    text: describe(error),
    headers: undefined,
    requestId: undefined,
  };
  if (isError(error, APIUserAbortError, 'APIUserAbortError')) return { ...facts, origin: 'abort' };
  if (isError(error, APIConnectionTimeoutError, 'APIConnectionTimeoutError'))
    return { ...facts, origin: 'timeout' };
  if (isError(error, APIConnectionError, 'APIConnectionError')) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause === undefined ? '' : ` (${describe(cause)})`;
    return { ...facts, origin: 'connection', text: `${facts.text}${detail}` };
  }
  if (error instanceof DOMException || (error instanceof Error && error.name === 'AbortError')) {
    if (error.name === 'AbortError') return { ...facts, origin: 'abort' };
    if (error.name === 'TimeoutError') return { ...facts, origin: 'timeout' };
  }
  if (isError(error, APIError, 'APIError') || hasStatusShape(error)) {
    const api = error as Partial<APIError> & { error?: unknown };
    const body = api.error as
      | { error?: { type?: unknown; message?: unknown }; request_id?: unknown }
      | undefined;
    const status = typeof api.status === 'number' ? api.status : undefined;
    const type = api.type ?? (typeof body?.error?.type === 'string' ? body.error.type : undefined);
    const apiMessage =
      api.apiMessage ?? (typeof body?.error?.message === 'string' ? body.error.message : undefined);
    const requestId =
      api.requestID ?? (typeof body?.request_id === 'string' ? body.request_id : undefined) ?? undefined;
    return {
      ...facts,
      origin: 'api',
      status,
      type: type ?? undefined,
      errorCode: api.errorCode ?? undefined,
      text: apiMessage ?? facts.text,
      headers: api.headers instanceof Headers ? api.headers : undefined,
      requestId,
    };
  }
  if (isError(error, AnthropicError, 'AnthropicError')) return { ...facts, origin: 'sdk' };
  return facts;
}

/** `instanceof`, or the SDK's class name (it names every error after its class) for a second copy of the SDK. */
function isError(error: unknown, type: abstract new (...args: never[]) => unknown, name: string): boolean {
  if (error instanceof type) return true;
  if (!(error instanceof Error)) return false;
  for (let proto = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto.constructor as { name?: string } | undefined)?.name === name) return true;
  }
  return false;
}

function hasStatusShape(error: unknown): boolean {
  return (
    error instanceof Error &&
    typeof (error as { status?: unknown }).status === 'number' &&
    'headers' in error &&
    'error' in error
  );
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message || value.name;
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return 'unknown error';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
