import { parseDuration } from '@keypool/core';
import { findGeminiErrorDetail, type GeminiErrorBody } from './gemini-error-body.ts';

const RETRY_IN_MESSAGE = /Please retry in (\d+(?:\.\d+)?)(ms|s)\b/i;

/**
 * The wait Gemini asks for before this key is used again, in ms. Gemini sends no `retry-after` header: the wait is
 * only in the body, as a `google.rpc.RetryInfo` detail (`"retryDelay": "47s"`), and repeated at the end of the
 * message (`Please retry in 47.053210367s.`), which is read when the detail is missing.
 */
export function geminiRetryDelayMs(body: GeminiErrorBody | undefined): number | undefined {
  const retryInfo = findGeminiErrorDetail(body, 'RetryInfo');
  const delay = retryInfo?.retryDelay;
  if (typeof delay === 'string') {
    const parsed = parseDuration(delay);
    if (parsed !== undefined) return parsed;
  }
  const inMessage = body?.message ? RETRY_IN_MESSAGE.exec(body.message) : null;
  if (!inMessage) return undefined;
  const amount = Number(inMessage[1]);
  return Math.ceil(inMessage[2]!.toLowerCase() === 'ms' ? amount : amount * 1_000);
}
