import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonOf, runKeypool, tempDir } from './run-keypool';

interface Summary {
  scenario: string;
  calls: number;
  durationMs: number;
  served: number;
  failed: number;
  upstream: {
    requests: number;
    perCall: number;
    status429: number;
    rateLimited: number;
    quotaExhausted: number;
  };
  servedBy: Record<string, { calls: number; keys: Record<string, number> }>;
  fallbacks: number;
  revoked: { keyId: string; attemptsAfterRevocation: number; selectedAfterDisabled: number; status: string };
  quota: { keyId: string; attemptsAfterExhaustion: number; status: string };
  outages: { provider: string; overloadedAnswers: number }[];
  keys: { provider: string; id: string; masked: string; status: string }[];
}

describe('keypool simulate (the demo, run as a subprocess, not a terminal)', () => {
  it('runs scenario "all" to the end in well under a minute, and its summary adds up', async () => {
    const dir = await tempDir();
    try {
      const state = join(dir.path, 'state.json');
      const started = Date.now();
      const result = await runKeypool(['simulate', '--json', '--latency', '300', '--save-state', state], {
        timeoutMs: 60_000,
      });
      const elapsed = Date.now() - started;
      expect(result.code, result.stderr).toBe(0);
      expect(elapsed).toBeLessThan(60_000);
      const summary = jsonOf<Summary>(result);
      expect(summary.scenario).toBe('all');
      expect(summary.calls).toBe(120);
      // Every call served, whatever was failing.
      expect(summary.served).toBe(120);
      expect(summary.failed).toBe(0);
      // Each provider served some calls: the chain covered the outage and the rate limits.
      for (const provider of ['anthropic', 'openai', 'gemini', 'mistral'])
        expect(summary.servedBy[provider]?.calls, provider).toBeGreaterThan(0);
      expect(summary.fallbacks).toBeGreaterThan(0);
      // The revoked key: the engine never picked it again once disabled (the strict invariant). The provider saw one
      // 401, or a couple more when other calls had left for that key in the same instant, before the first 401 came
      // back (8 calls in flight on a loaded machine): bounded, never a stream of them.
      expect(summary.revoked.keyId).toBe('anthropic-1');
      expect(summary.revoked.status).toBe('disabled');
      expect(summary.revoked.selectedAfterDisabled).toBe(0);
      expect(summary.revoked.attemptsAfterRevocation).toBeGreaterThanOrEqual(1);
      expect(summary.revoked.attemptsAfterRevocation).toBeLessThanOrEqual(3);
      // The key whose quota ran out: cooled after one refused request (same in-flight bound as above).
      expect(summary.quota.status).toBe('cooling');
      expect(summary.quota.attemptsAfterExhaustion).toBeGreaterThanOrEqual(1);
      expect(summary.quota.attemptsAfterExhaustion).toBeLessThanOrEqual(3);
      // 429s stay few: keys cool for what the provider says, limits are learned from headers.
      expect(summary.upstream.rateLimited).toBeGreaterThan(0);
      expect(summary.upstream.status429).toBeLessThanOrEqual(40);
      // Each call needed few upstream requests.
      expect(summary.upstream.perCall).toBeLessThan(3);
      expect(summary.outages.every((outage) => outage.overloadedAnswers > 0)).toBe(true);
      // Events went to stderr, line by line (not a terminal), keys masked.
      expect(result.stderr).toContain('>> anthropic-3');
      expect(result.stderr).toContain('disabled  anthropic/anthropic-1 sk-d...');
      expect(result.stderr).not.toContain('\u001b[');

      // The saved state reads back through `status --state`.
      const status = await runKeypool(['status', '--state', state, '--json']);
      expect(status.code).toBe(0);
      const keys = jsonOf<{ keys: { id: string; status: string; calls: number }[] }>(status).keys;
      expect(keys).toHaveLength(12);
      expect(keys.find((key) => key.id === 'anthropic-1')?.status).toBe('disabled');
      const table = await runKeypool(['status', '--state', state]);
      expect(table.stdout).toMatch(/anthropic\s+anthropic-1\s+sk-d\.\.\.\w{4}\s+disabled/);
    } finally {
      await dir.remove();
    }
  });

  it('runs a named scenario with plain output and a human summary', async () => {
    const result = await runKeypool(['simulate', 'revoked', '--calls', '30', '--latency', '100'], {
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('scenario revoked');
    expect(result.stdout).toMatch(/calls served\s+30\/30/);
    expect(result.stdout).toMatch(/revoked key\s+anthropic-1/);
  });

  it('rejects an unknown scenario with exit 2', async () => {
    const result = await runKeypool(['simulate', 'meteor']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('revoked');
  });
});
