/**
 * What makes a secret unfit for an HTTP header, or `undefined` when it is fit: control characters (a line break
 * would split the header), whitespace inside it, or characters outside printable ASCII. Leading and trailing
 * whitespace is reported by the schema's own rule. Never returns the secret or a piece of it.
 */
export function headerUnsafe(secret: string): string | undefined {
  const trimmed = secret.trim();
  if (trimmed.length === 0) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is looked for.
  if (/[\u0000-\u001f\u007f]/.test(secret)) return 'holds a line break or another control character';
  if (/\s/.test(trimmed)) return 'holds whitespace inside it';
  if (/[^\u0021-\u007e]/.test(trimmed)) return 'holds characters outside printable ASCII';
  return undefined;
}
