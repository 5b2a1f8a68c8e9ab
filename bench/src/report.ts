/** The results' shape, and their rendering as a markdown table and a hand-written SVG bar chart (pure functions). */

export interface MetricDef {
  key: string;
  label: string;
  better?: 'lower' | 'higher';
}

export interface Row {
  contender: string;
  status: 'ran' | 'cannot' | 'error';
  /** Why the contender did not run (cannot) or what went wrong (error). */
  reason?: string;
  values: Record<string, number | string | null>;
  details?: Record<string, unknown>;
}

export interface ScenarioResult {
  id: string;
  title: string;
  description: string;
  metrics: MetricDef[];
  rows: Row[];
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverage: { atStart: number[]; atEnd: number[] };
}

export interface BenchReport {
  date: string;
  machine: Machine;
  durationMs: number;
  /** True when the overall deadline cut the run short. */
  truncated: boolean;
  versions: Record<string, string>;
  contenders: { label: string; settings: string }[];
  scenarios: ScenarioResult[];
  notes: string[];
}

function formatValue(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return '-';
  return String(value);
}

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** One markdown table per scenario, then the machine, versions and notes. */
export function renderMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  const m = report.machine;
  lines.push(
    `Run ${report.date} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform}); ` +
      `load average ${m.loadAverage.atStart.join(' / ')} at start, ${m.loadAverage.atEnd.join(' / ')} at end; ` +
      `${Math.round(report.durationMs / 1000)} s${report.truncated ? ' (cut short by the overall deadline)' : ''}.`,
  );
  for (const scenario of report.scenarios) {
    lines.push('', `### ${scenario.title}`, '', scenario.description, '');
    lines.push(`| contender | ${scenario.metrics.map((metric) => escapeCell(metric.label)).join(' | ')} |`);
    lines.push(`| --- | ${scenario.metrics.map(() => '---:').join(' | ')} |`);
    for (const row of scenario.rows) {
      if (row.status !== 'ran') {
        const what = row.status === 'cannot' ? 'cannot run' : 'failed';
        lines.push(
          `| ${escapeCell(row.contender)} | ${escapeCell(`${what}: ${row.reason ?? ''}`)} |${' |'.repeat(Math.max(0, scenario.metrics.length - 1))}`,
        );
        continue;
      }
      const cells = scenario.metrics.map((metric) => escapeCell(formatValue(row.values[metric.key])));
      lines.push(`| ${escapeCell(row.contender)} | ${cells.join(' | ')} |`);
    }
  }
  if (report.notes.length > 0) {
    lines.push('', '**Notes**', '');
    for (const note of report.notes) lines.push(`- ${note}`);
  }
  lines.push('', '**Contenders**', '');
  for (const contender of report.contenders) lines.push(`- ${contender.label}: ${contender.settings}`);
  lines.push(
    '',
    `Versions: ${Object.entries(report.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
  );
  return `${lines.join('\n')}\n`;
}

/** The metric each chart panel shows. */
export interface ChartPanel {
  scenario: string;
  metric: string;
  title: string;
}

export const DEFAULT_PANELS: ChartPanel[] = [
  {
    scenario: 'healthy',
    metric: 'addedMedian',
    title: '1. Added latency over the emulator, median ms (lower)',
  },
  { scenario: 'limited', metric: 'attemptsPerServed', title: '2. Upstream attempts per served call (lower)' },
  { scenario: 'recovery', metric: 'rateLimited', title: '3. 429s sent while keys recover (lower)' },
  { scenario: 'capacity', metric: 'goodput', title: '4. Goodput, % of K x R (higher is better)' },
  {
    scenario: 'revoked',
    metric: 'afterRevocation',
    title: '5. Attempts on a revoked key after revocation (lower)',
  },
  { scenario: 'outage', metric: 'deadPerCall', title: '6. Attempts to the dead provider per call (lower)' },
];

const escapeXml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function niceNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/**
 * A grid of horizontal bar charts, one panel per scenario, one bar per contender; Keypool's bars are highlighted.
 * Contenders that could not run show the word instead of a bar. Negative values (noise below the baseline) draw
 * no bar and show their number.
 */
export function renderSvg(report: BenchReport, panels: readonly ChartPanel[] = DEFAULT_PANELS): string {
  const columns = 2;
  const panelWidth = 520;
  const labelWidth = 190;
  const barArea = panelWidth - labelWidth - 70;
  const barHeight = 16;
  const gap = 6;
  const shown = panels
    .map((panel) => ({
      panel,
      scenario: report.scenarios.find((scenario) => scenario.id === panel.scenario),
    }))
    .filter(
      (entry): entry is { panel: ChartPanel; scenario: ScenarioResult } => entry.scenario !== undefined,
    );
  const maxRows = Math.max(1, ...shown.map((entry) => entry.scenario.rows.length));
  const panelHeight = 40 + maxRows * (barHeight + gap) + 10;
  const rowsCount = Math.ceil(shown.length / columns);
  const width = columns * panelWidth + 20;
  const height = 50 + rowsCount * panelHeight + 20;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="24" font-size="16" font-weight="bold">How Keypool compares (emulator, ${escapeXml(report.date.slice(0, 10))}, ${report.machine.cores} cores, load ${report.machine.loadAverage.atStart[0] ?? '?'})</text>`,
  );
  shown.forEach(({ panel, scenario }, index) => {
    const x0 = 10 + (index % columns) * panelWidth;
    const y0 = 40 + Math.floor(index / columns) * panelHeight;
    out.push(`<text x="${x0}" y="${y0 + 16}" font-weight="bold">${escapeXml(panel.title)}</text>`);
    const numbers = scenario.rows
      .map((row) => row.values[panel.metric])
      .filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
    const max = Math.max(0, ...numbers);
    scenario.rows.forEach((row, rowIndex) => {
      const y = y0 + 30 + rowIndex * (barHeight + gap);
      const highlight = row.contender.startsWith('Keypool');
      out.push(
        `<text x="${x0 + labelWidth - 6}" y="${y + barHeight - 4}" text-anchor="end"${highlight ? ' font-weight="bold"' : ''}>${escapeXml(row.contender)}</text>`,
      );
      const value = row.values[panel.metric];
      if (row.status !== 'ran' || typeof value !== 'number' || !Number.isFinite(value)) {
        const text =
          row.status === 'ran' ? formatValue(value) : row.status === 'cannot' ? 'cannot run' : 'failed';
        out.push(
          `<text x="${x0 + labelWidth + 4}" y="${y + barHeight - 4}" fill="#888888">${escapeXml(text)}</text>`,
        );
        return;
      }
      const length = max > 0 && value > 0 ? Math.max(1, (value / max) * barArea) : 0;
      out.push(
        `<rect x="${x0 + labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${barHeight}" fill="${highlight ? '#2f6fdf' : '#b8b8b8'}"/>`,
        `<text x="${x0 + labelWidth + length + 4}" y="${y + barHeight - 4}">${escapeXml(niceNumber(value))}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
