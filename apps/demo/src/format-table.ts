// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences is the point.
const ANSI_PATTERN = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The length of a string as a terminal shows it (ANSI colour codes take no room). */
export function visibleLength(text: string): number {
  return text.replace(ANSI_PATTERN, '').length;
}

/** Pads a string to a visible width (ANSI-aware). */
export function padVisible(text: string, width: number): string {
  const missing = width - visibleLength(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

/**
 * A plain-text table: a header row, then one row per entry, columns separated by two spaces and sized to their
 * widest cell. Trailing spaces are trimmed.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => padVisible(cell, widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
