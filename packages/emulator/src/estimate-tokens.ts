/**
 * The emulator's one token counter, used for prompts, completions and rate-limit budgets alike, so every count the
 * emulator reports is consistent with the text it sends: a token is four characters, rounded up.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
