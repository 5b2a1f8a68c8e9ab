import type { Answer } from './answer.ts';
import { splitIntoChunks } from './answer.ts';
import { estimateTokens } from './estimate-tokens.ts';

/** Start of the `count`-th word from the end of `text` (its length when `count` is 0). */
function repeatFrom(text: string, count: number): number {
  if (count <= 0) return text.length;
  const starts = [...text.matchAll(/\S+/g)].map((match) => match.index);
  return starts.at(-Math.min(count, starts.length)) ?? text.length;
}

/**
 * The answer a model gives when asked to continue `prefill`: when the prefill is the start of the answer it would
 * have given, the rest of that answer (first repeating `repeatWords` of the prefill's last words); otherwise the whole
 * answer (the model goes its own way).
 */
export function continueAnswer(answer: Answer, prefill: string, repeatWords: number): Answer {
  const text = answer.text.startsWith(prefill)
    ? answer.text.slice(repeatFrom(prefill, repeatWords))
    : answer.text;
  return {
    text,
    get chunks(): string[] {
      return splitIntoChunks(text);
    },
    promptTokens: answer.promptTokens,
    completionTokens: estimateTokens(text),
    truncated: answer.truncated,
  };
}
