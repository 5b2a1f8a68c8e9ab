import { type ErrorCategory, KeypoolError, PoolExhaustedError, ProviderError } from '@keypool/core';
import { ChainExhaustedError } from '@keypool/fallback';

/** The wire format a request came in: the error it gets back has the same API's shape. */
export type ApiDialect = 'openai' | 'anthropic';

/** What the gateway itself refuses, before any upstream call. */
export type GatewayErrorKind =
  | 'invalid_json'
  | 'invalid_request'
  | 'unauthorized'
  | 'model_not_allowed'
  | 'model_not_found'
  | 'budget_exceeded'
  | 'not_found'
  | 'method_not_allowed'
  | 'draining'
  | 'internal';

const KIND_STATUS: Record<GatewayErrorKind, number> = {
  invalid_json: 400,
  invalid_request: 400,
  unauthorized: 401,
  model_not_allowed: 403,
  model_not_found: 404,
  budget_exceeded: 429,
  not_found: 404,
  method_not_allowed: 405,
  draining: 503,
  internal: 500,
};

/** An error the gateway answers itself (bad key, unknown model, budget spent...), with its HTTP status. */
export class GatewayError extends Error {
  readonly kind: GatewayErrorKind;
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(kind: GatewayErrorKind, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'GatewayError';
    this.kind = kind;
    this.status = KIND_STATUS[kind];
    this.retryAfterMs = retryAfterMs;
  }
}

/** An HTTP error answer: status, extra headers and the JSON body in the API's own shape. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

// Partial: a category added to core later answers 502 until it is listed here.
const CATEGORY_STATUS: Partial<Record<ErrorCategory | 'invalid_response', number>> = {
  rate_limit: 429,
  quota_exhausted: 429,
  auth: 502,
  overloaded: 503,
  server: 502,
  timeout: 504,
  network: 502,
  context_length: 400,
  content_filter: 400,
  invalid_request: 400,
  aborted: 499,
  invalid_response: 502,
  stream_interrupted: 502,
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

function openAIType(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  if (status === 401) return 'invalid_request_error';
  if (status === 403) return 'permission_error';
  return 'invalid_request_error';
}

function openAICode(
  status: number,
  category: string | undefined,
  kind: GatewayErrorKind | undefined,
): string | null {
  if (kind === 'unauthorized') return 'invalid_api_key';
  if (kind === 'model_not_found') return 'model_not_found';
  if (kind === 'model_not_allowed') return 'model_not_allowed';
  if (category === 'context_length') return 'context_length_exceeded';
  if (category === 'content_filter') return 'content_policy_violation';
  if (category === 'quota_exhausted') return 'insufficient_quota';
  if (status === 429) return 'rate_limit_exceeded';
  return category ?? kind ?? null;
}

/** The upstream's own error body, when the error came from the same API the client speaks (exact passthrough). */
function upstreamBody(dialect: ApiDialect, error: ProviderError): Record<string, unknown> | undefined {
  if (error.provider !== dialect || error.status === undefined) return undefined;
  const cause = error.cause as { error?: unknown } | undefined;
  const body = cause?.error;
  if (typeof body !== 'object' || body === null) return undefined;
  // The OpenAI SDK keeps only the inner `error` object; Anthropic's keeps the whole envelope.
  return dialect === 'openai' ? { error: body } : (body as Record<string, unknown>);
}

function retryHeaders(retryAfterMs: number | undefined): Record<string, string> {
  if (retryAfterMs === undefined) return {};
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) };
}

function shaped(
  dialect: ApiDialect,
  status: number,
  message: string,
  extra: { category?: string; kind?: GatewayErrorKind; retryAfterMs?: number | undefined },
): ErrorAnswer {
  const headers = retryHeaders(extra.retryAfterMs);
  if (dialect === 'anthropic') {
    const type = ANTHROPIC_TYPES[status] ?? 'api_error';
    return { status, headers, body: { type: 'error', error: { type, message } } };
  }
  return {
    status,
    headers,
    body: {
      error: {
        message,
        type: openAIType(status),
        param: null,
        code: openAICode(status, extra.category, extra.kind),
      },
    },
  };
}

/**
 * Turns anything a request failed with into the API's own error answer: OpenAI `{ error: { message, type, param,
 * code } }` or Anthropic `{ type: "error", error: { type, message } }`, with the status a client SDK understands and
 * `retry-after` (seconds) plus `retry-after-ms` when the pool or chain said when it will be usable again. Messages
 * come from Keypool's errors, which never hold a secret; anything else becomes a generic 500.
 */
export function errorAnswer(dialect: ApiDialect, error: unknown): ErrorAnswer {
  if (error instanceof GatewayError) {
    return shaped(dialect, error.status, error.message, {
      kind: error.kind,
      retryAfterMs: error.retryAfterMs,
    });
  }
  if (ChainExhaustedError.isInstance(error) || PoolExhaustedError.isInstance(error)) {
    const retryAfterMs = error.retryAfterMs;
    const status = retryAfterMs === undefined ? 503 : 429;
    return shaped(dialect, status, error.message, { category: 'rate_limit', retryAfterMs });
  }
  if (ProviderError.isInstance(error)) {
    const passthrough = upstreamBody(dialect, error);
    if (
      passthrough &&
      (error.category === 'invalid_request' ||
        error.category === 'context_length' ||
        error.category === 'content_filter')
    ) {
      return { status: error.status ?? 400, headers: {}, body: passthrough };
    }
    let status = error.modelNotFound ? 404 : (CATEGORY_STATUS[error.category] ?? 502);
    if (dialect === 'anthropic' && error.category === 'overloaded') status = 529;
    return shaped(dialect, status, error.message, {
      category: error.category,
      retryAfterMs: status === 429 || status === 503 || status === 529 ? error.retryAfterMs : undefined,
    });
  }
  if (KeypoolError.isInstance(error)) return shaped(dialect, 500, error.message, { kind: 'internal' });
  return shaped(dialect, 500, 'internal gateway error', { kind: 'internal' });
}
