/**
 * How a broken answer is handed to a model to continue, and how its continuation is joined to what the caller already
 * saw without a repeated or a missing word.
 *
 * The prefill is the shown text cut back to the end of a word (never ending in whitespace, which Anthropic rejects,
 * and never trusting the last word to be complete). The cut-off part, `heldBack`, was already shown, so a model that
 * continues the prefill must write it again: the joiner drops it. A model may also repeat a few words of the prefill
 * before going on. So the continuation must start with one of `expectedStarts`: the held-back text after 0 to
 * `maxOverlapWords` repeated words. The cut is moved back until no expected start is a prefix of another, which makes
 * the match unique even in answers full of repeated phrases. A continuation that starts with none of them diverged
 * from what the caller saw.
 */
export interface PrefillPlan {
  /** The text the model is asked to continue; empty when no safe cut exists (then the answer must restart). */
  prefill: string;
  /** The shown text after the prefill, which the continuation must write again. */
  heldBack: string;
  /** Every way the continuation may start (see above). No entry is a prefix of another. */
  expectedStarts: readonly string[];
}

/** The default number of prefill words a continuation may repeat before going on. */
export const DEFAULT_MAX_OVERLAP_WORDS = 4;

/** Cut points tried before giving up on a prefill (each is one word further back). */
const MAX_CUTS_TRIED = 64;

const WHITESPACE = /\s/;

function isSpace(character: string | undefined): boolean {
  return character !== undefined && WHITESPACE.test(character);
}

/** Start indices of the last `count` words of `text`, nearest first. */
function lastWordStarts(text: string, count: number): number[] {
  const starts: number[] = [];
  for (let index = text.length - 1; index >= 0 && starts.length < count; index--) {
    if (!isSpace(text[index]) && (index === 0 || isSpace(text[index - 1]))) starts.push(index);
  }
  return starts;
}

function prefixFree(starts: readonly string[]): boolean {
  for (let i = 0; i < starts.length; i++) {
    for (let j = 0; j < starts.length; j++) {
      const a = starts[i] as string;
      const b = starts[j] as string;
      if (i !== j && b.startsWith(a)) return false;
    }
  }
  return true;
}

/**
 * Plans the prefill for an answer the caller has seen up to `shown`. Pure; see {@link PrefillPlan} for the rules.
 * `maxOverlapWords` bounds how many prefill words a continuation may repeat (default 4).
 */
export function planPrefill(shown: string, maxOverlapWords: number = DEFAULT_MAX_OVERLAP_WORDS): PrefillPlan {
  let tried = 0;
  // A cut point p: shown[p - 1] ends a word and shown[p] is whitespace, so the held-back text is never empty.
  for (let cut = shown.length - 1; cut > 0 && tried < MAX_CUTS_TRIED; cut--) {
    if (!isSpace(shown[cut]) || isSpace(shown[cut - 1])) continue;
    tried++;
    const prefill = shown.slice(0, cut);
    const heldBack = shown.slice(cut);
    const expectedStarts = [heldBack];
    for (const start of lastWordStarts(prefill, maxOverlapWords)) {
      expectedStarts.push(prefill.slice(start) + heldBack);
    }
    if (prefixFree(expectedStarts)) return { prefill, heldBack, expectedStarts };
  }
  return { prefill: '', heldBack: shown, expectedStarts: [shown] };
}

/** What {@link OverlapJoiner.push} made of a piece of the continuation. */
export type JoinStep =
  /** Text to show the caller now (may be empty while the start is still being matched). */
  | { type: 'text'; text: string }
  /** The continuation does not reproduce what the caller saw; `continuation` is everything received so far. */
  | { type: 'diverged'; continuation: string };

/**
 * Joins a streamed continuation to the shown text: it holds the continuation back until it has matched one of the
 * plan's expected starts, drops that start, then passes the rest through. Use one joiner per continuation.
 */
export class OverlapJoiner {
  private buffer = '';
  private matched = false;
  private failed = false;
  private readonly plan: PrefillPlan;

  constructor(plan: PrefillPlan) {
    this.plan = plan;
  }

  /** Feeds the next piece of the continuation. */
  push(text: string): JoinStep {
    if (this.matched) return { type: 'text', text };
    if (this.failed) return { type: 'diverged', continuation: this.buffer };
    this.buffer += text;
    for (const start of this.plan.expectedStarts) {
      if (this.buffer.startsWith(start)) {
        this.matched = true;
        return { type: 'text', text: this.buffer.slice(start.length) };
      }
    }
    if (this.plan.expectedStarts.some((start) => start.startsWith(this.buffer)))
      return { type: 'text', text: '' };
    this.failed = true;
    return { type: 'diverged', continuation: this.buffer };
  }

  /** Called when the continuation ended: a continuation still being matched ended short of what the caller saw. */
  finish(): JoinStep {
    if (this.matched) return { type: 'text', text: '' };
    this.failed = true;
    return { type: 'diverged', continuation: this.buffer };
  }
}

/**
 * Joins a whole continuation to `shown` under `plan`: the joined answer, or undefined when the continuation does not
 * reproduce what the caller saw. The streaming form is {@link OverlapJoiner}.
 */
export function trimOverlap(shown: string, plan: PrefillPlan, continuation: string): string | undefined {
  const joiner = new OverlapJoiner(plan);
  const step = joiner.push(continuation);
  if (step.type === 'diverged') return undefined;
  return joiner.finish().type === 'text' ? shown + step.text : undefined;
}
