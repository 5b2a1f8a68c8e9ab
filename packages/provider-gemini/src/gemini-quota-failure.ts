import { findGeminiErrorDetail, type GeminiErrorBody } from './gemini-error-body.ts';

/**
 * Which quota a 429 `RESOURCE_EXHAUSTED` spent, from its `google.rpc.QuotaFailure` detail: `day` when a violated
 * `quotaId` is a per-day one (`GenerateRequestsPerDayPerProjectPerModel-FreeTier`), `minute` when they are all
 * per-minute, `unknown` without a QuotaFailure (the only place Gemini tells them apart).
 */
export function geminiQuotaScope(body: GeminiErrorBody | undefined): 'minute' | 'day' | 'unknown' {
  const violations = findGeminiErrorDetail(body, 'QuotaFailure')?.violations;
  if (!Array.isArray(violations) || violations.length === 0) return 'unknown';
  let perMinute = false;
  for (const violation of violations) {
    const quotaId = (violation as { quotaId?: unknown } | null)?.quotaId;
    if (typeof quotaId !== 'string') continue;
    if (quotaId.includes('PerDay')) return 'day';
    if (quotaId.includes('PerMinute')) perMinute = true;
  }
  return perMinute ? 'minute' : 'unknown';
}
