import { formatDuration } from '../format-duration';
import { formatTable } from '../format-table';
import type { SimulationSummary } from './simulation-summary';

/** The end-of-run summary as text: calls, upstream attempts, 429s, who served what, and each injected failure. */
export function formatSummary(summary: SimulationSummary): string {
  const { upstream } = summary;
  const lines: string[] = [
    `summary (scenario ${summary.scenario}, seed ${summary.seed}, ${formatDuration(summary.durationMs)})`,
    `  calls served        ${summary.served}/${summary.calls}${summary.failed > 0 ? `  (${summary.failed} FAILED)` : ''}, ${summary.fallbacks} by a fallback step`,
    `  upstream requests   ${upstream.requests} (${upstream.perCall} per call, at most ${upstream.maxPerCall} for one call; ${upstream.firstAttempt} calls served by their first attempt)`,
    `  429s seen           ${upstream.status429} (${upstream.rateLimited} rate limits, ${upstream.quotaExhausted} quota)`,
    `  upstream outcomes   ${Object.entries(upstream.outcomes)
      .sort(([, a], [, b]) => b - a)
      .map(([outcome, count]) => `${outcome} ${count}`)
      .join(', ')}`,
  ];
  if (summary.revoked) {
    const revoked = summary.revoked;
    lines.push(
      `  revoked key         ${revoked.keyId} (${revoked.masked}) revoked after ${revoked.revokedAfter} calls: ` +
        `${revoked.attemptsAfterRevocation} attempt(s) after revocation, picked ${revoked.selectedAfterDisabled} times once disabled, now ${revoked.status}`,
    );
  }
  if (summary.quota) {
    const quota = summary.quota;
    lines.push(
      `  quota               ${quota.keyId} (${quota.masked}) ran out at call ${quota.atCall}: ` +
        `${quota.attemptsAfterExhaustion} refused attempt(s), now ${quota.status}`,
    );
  }
  for (const limited of summary.rateLimited)
    lines.push(
      `  rate limit          ${limited.keyId} (${limited.masked}) at ${limited.rpm}/window: ${limited.status429} 429s`,
    );
  for (const outage of summary.outages)
    lines.push(
      `  outage              ${outage.provider} ${outage.model} down ${formatDuration(outage.downMs)}: ${outage.overloadedAnswers} overloaded answers`,
    );
  lines.push('', '  served by');
  const rows = Object.entries(summary.servedBy).map(([provider, served]) => [
    `  ${provider}`,
    String(served.calls),
    Object.entries(served.keys)
      .map(([keyId, count]) => `${keyId} ${count}`)
      .join(', '),
  ]);
  lines.push(formatTable(['  PROVIDER', 'CALLS', 'PER KEY'], rows));
  lines.push('', '  keys at the end');
  lines.push(
    formatTable(
      ['  KEY', 'MASKED', 'STATUS', 'CALLS', 'OK', 'FAILURES'],
      summary.keys.map((key) => [
        `  ${key.id}`,
        key.masked,
        key.status,
        String(key.calls),
        String(key.successes),
        Object.entries(key.failures)
          .map(([category, count]) => `${category}:${count}`)
          .join(' ') || '-',
      ]),
    ),
  );
  return lines.join('\n');
}
