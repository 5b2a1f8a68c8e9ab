import { describe, expect, it } from 'vitest';
import { retryGaps, summarizeTraffic } from './log-analysis.ts';
import { type BenchReport, renderMarkdown, renderSvg } from './report.ts';
import { addedLatency, median, quantile, ratio, round, shares } from './stats.ts';
import { providerOf, usedLaterTarget } from './tracing.ts';

describe('statistics', () => {
  it('takes nearest-rank quantiles and medians', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(median([1, 2, 3, 4])).toBe(2);
    expect(quantile([1, 2, 3], 0.99)).toBe(3);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('rounds, divides and shares', () => {
    expect(round(0.12345)).toBe(0.123);
    expect(round(1.25, 1)).toBe(1.3);
    expect(ratio(1, 0)).toBeNaN();
    expect(shares({ a: 1, b: 3 })).toEqual({ a: 0.25, b: 0.75 });
  });

  it('computes the latency added over a baseline', () => {
    const added = addedLatency([2, 3, 4], [1, 1, 1]);
    expect(added.addedMedianMs).toBe(2);
    expect(added.pairedMedianMs).toBe(2);
    expect(added.addedP99Ms).toBe(3);
  });
});

describe('log analysis', () => {
  const entry = (seq: number, time: number, key: string, outcome: string) => ({
    seq,
    time,
    provider: 'openai',
    key,
    status: outcome === 'ok' ? 200 : 429,
    outcome,
  });

  it('counts attempts, 429s and shares per key', () => {
    const traffic = summarizeTraffic(
      [
        entry(1, 0, 'a', 'ok'),
        entry(2, 1, 'a', 'rate_limited'),
        entry(3, 2, 'b', 'ok'),
        entry(4, 3, 'b', 'ok'),
      ],
      (secret) => `key-${secret}`,
    );
    expect(traffic).toMatchObject({ attempts: 4, ok: 3, rateLimited: 1 });
    expect(traffic.shareByKey).toEqual({ 'key-a': 0.5, 'key-b': 0.5 });
  });

  it('replays the window to tell whether a retry waited as long as the 429 asked', () => {
    // rpm 2, window 1000: the window opens at t=100, so a 429 at t=300 asks for 800 ms.
    const log = [
      entry(1, 100, 'a', 'ok'),
      entry(2, 200, 'a', 'ok'),
      entry(3, 300, 'a', 'rate_limited'),
      entry(4, 350, 'a', 'rate_limited'),
      entry(5, 1100, 'a', 'ok'),
    ];
    const gaps = retryGaps(log, 1000, () => 2);
    expect(gaps).toHaveLength(2);
    expect(gaps[0]).toMatchObject({ askedMs: 800, waitedMs: 50, honoured: false });
    expect(gaps[1]).toMatchObject({ askedMs: 750, waitedMs: 750, honoured: true });
    expect(retryGaps(log, 1000, () => undefined)).toEqual([]);
  });
});

describe('tracing helpers', () => {
  it('tells the provider from the emulator path and reads the gateway option index', () => {
    expect(providerOf('http://127.0.0.1:1/openai/v1/chat/completions')).toBe('openai');
    expect(providerOf('http://127.0.0.1:1/anthropic/v1/messages')).toBe('anthropic');
    expect(usedLaterTarget('config.targets[2].targets[0]')).toBe(false);
    expect(usedLaterTarget('config.targets[2].targets[1]')).toBe(true);
    expect(usedLaterTarget('config.targets[1]')).toBe(false);
  });
});

describe('rendering', () => {
  const report: BenchReport = {
    date: '2026-01-02T03:04:05.000Z',
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 4,
      node: 'v24.0.0',
      platform: 'linux',
      loadAverage: { atStart: [1, 2, 3], atEnd: [1, 2, 3] },
    },
    durationMs: 1000,
    truncated: false,
    versions: { openai: '7.0.0' },
    contenders: [{ label: 'Keypool', settings: 'defaults' }],
    notes: ['a note'],
    scenarios: [
      {
        id: 'healthy',
        title: '1. Healthy',
        description: 'desc',
        metrics: [{ key: 'addedMedian', label: 'added | median' }],
        rows: [
          { contender: 'Keypool', status: 'ran', values: { addedMedian: 0.04 } },
          { contender: 'Other <x>', status: 'ran', values: { addedMedian: 2 } },
          { contender: 'Gateway', status: 'cannot', reason: 'not here', values: {} },
        ],
      },
    ],
  };

  it('renders one markdown table per scenario, escaping pipes and naming what could not run', () => {
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('| contender | added \\| median |');
    expect(markdown).toContain('| Keypool | 0.04 |');
    expect(markdown).toContain('| Gateway | cannot run: not here |');
    expect(markdown).toContain('- a note');
  });

  it('renders a well-formed SVG with one bar per contender that ran', () => {
    const svg = renderSvg(report);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect /g)).toHaveLength(3); // background + 2 bars
    expect(svg).toContain('Other &lt;x&gt;');
    expect(svg).toContain('cannot run');
  });
});
