/**
 * What is wrong with a secret's text, or `undefined` when it looks like a usable API key: no control characters and
 * no whitespace inside it (outer whitespace is the caller's to trim). The answer never quotes the secret.
 */
export function secretProblem(secret: string): string | undefined {
  if (secret.length === 0) return 'is empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected here.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(secret)) {
    return /[\r\n]/.test(secret)
      ? 'contains a line break (a value pasted over two lines?)'
      : 'contains a control character';
  }
  if (/\s/.test(secret)) return 'contains whitespace inside the value (two keys pasted together?)';
  return undefined;
}
