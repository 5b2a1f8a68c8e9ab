/** Labels of one sample. */
export type Labels = Record<string, string>;

/** Escapes a label value as the Prometheus text format requires (backslash, quote, newline). */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Writes metric families in the Prometheus text exposition format (version 0.0.4). */
export class PrometheusWriter {
  private readonly lines: string[] = [];
  private readonly declared = new Set<string>();

  /** Declares a family once (HELP and TYPE lines). */
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    if (this.declared.has(name)) return this;
    this.declared.add(name);
    this.lines.push(
      `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      `# TYPE ${name} ${type}`,
    );
    return this;
  }

  /** Writes one sample. */
  sample(name: string, labels: Labels, value: number): this {
    this.lines.push(`${name}${labelText(labels)} ${numberText(value)}`);
    return this;
  }

  /** The document. */
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** A counter with labels, kept in memory. */
export class LabelledCounter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  /** Adds `by` (default 1) to the series with these labels. */
  add(labels: Labels, by = 1): void {
    const id = JSON.stringify(labels);
    const entry = this.values.get(id);
    if (entry) entry.value += by;
    else this.values.set(id, { labels, value: by });
  }

  /** Every series. */
  entries(): { labels: Labels; value: number }[] {
    return [...this.values.values()];
  }
}

/** A histogram with labels and fixed buckets (upper bounds, ascending). */
export class LabelledHistogram {
  private readonly bounds: readonly number[];
  private readonly values = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
  }

  /** Records one observation. */
  observe(labels: Labels, value: number): void {
    const id = JSON.stringify(labels);
    let entry = this.values.get(id);
    if (!entry) {
      entry = { labels, counts: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.values.set(id, entry);
    }
    this.bounds.forEach((bound, index) => {
      if (value <= bound) entry.counts[index]!++;
    });
    entry.sum += value;
    entry.count++;
  }

  /** Writes the `_bucket`, `_sum` and `_count` samples of every series. */
  write(writer: PrometheusWriter, name: string): void {
    for (const { labels, counts, sum, count } of this.values.values()) {
      this.bounds.forEach((bound, index) => {
        writer.sample(`${name}_bucket`, { ...labels, le: numberText(bound) }, counts[index]!);
      });
      writer.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, count);
      writer.sample(`${name}_sum`, labels, sum);
      writer.sample(`${name}_count`, labels, count);
    }
  }
}
