/** One item of a Google error's `details[]` (`google.rpc.ErrorInfo`, `QuotaFailure`, `RetryInfo`, `Help`...). */
export interface GeminiErrorDetail {
  '@type'?: string;
  [field: string]: unknown;
}

/** The Google API error envelope's inner object: `{"error":{"code","message","status","details"}}`. */
export interface GeminiErrorBody {
  code?: number;
  message?: string;
  /** The gRPC status name (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`...), or the HTTP reason for non-JSON bodies. */
  status?: string;
  details?: GeminiErrorDetail[];
}

/**
 * Reads the error body out of an `ApiError` message. genai puts the whole response body, as a JSON string, in the
 * message (`{"error":{...}}`); an error event inside a stream arrives as `got status: UNAVAILABLE. {"error":{...}}`.
 * Undefined when the text holds no such envelope.
 */
export function parseGeminiErrorBody(text: string): GeminiErrorBody | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(start === 0 ? text : text.slice(start));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const inner = (parsed as { error?: unknown }).error;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const raw = inner as Record<string, unknown>;
  const body: GeminiErrorBody = {};
  if (typeof raw.code === 'number') body.code = raw.code;
  if (typeof raw.message === 'string') body.message = raw.message;
  if (typeof raw.status === 'string') body.status = raw.status;
  if (Array.isArray(raw.details)) {
    body.details = raw.details.filter(
      (detail): detail is GeminiErrorDetail => typeof detail === 'object' && detail !== null,
    );
  }
  return body;
}

/** The first `details[]` item of a given `google.rpc` type (e.g. `RetryInfo`), if any. */
export function findGeminiErrorDetail(
  body: GeminiErrorBody | undefined,
  type: string,
): GeminiErrorDetail | undefined {
  const suffix = `google.rpc.${type}`;
  return body?.details?.find(
    (detail) => typeof detail['@type'] === 'string' && detail['@type'].endsWith(suffix),
  );
}
