import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverlapJoiner, planPrefill, trimOverlap } from './trim-overlap';

// A tiny vocabulary, so answers are full of repeated words and phrases ("the cat saw the cat, the cat").
const word = fc.constantFrom('the', 'cat', 'la', 'saw', 'a', 'the cat', 'la la', 'it.', 'Hi,');
const separator = fc.constantFrom(' ', ' ', ' ', ', ', '\n', '  ');
const answer = fc.array(fc.tuple(word, separator), { minLength: 1, maxLength: 30 }).map((parts) =>
  parts
    .map(([text, gap]) => text + gap)
    .join('')
    .trimEnd(),
);

/**
 * A model continuing `prefill` (a prefix of the intended answer) that first repeats its last `repeat` words. Written
 * independently of the joiner: words are found with a regular expression over the prefill.
 */
function continueAfter(intended: string, prefill: string, repeat: number): string {
  const starts = [...prefill.matchAll(/\S+/g)].map((match) => match.index);
  const from =
    repeat === 0 || starts.length === 0 ? prefill.length : (starts.at(-Math.min(repeat, starts.length)) ?? 0);
  return intended.slice(from);
}

function splitAt(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let last = 0;
  for (const point of points) {
    pieces.push(text.slice(last, point));
    last = point;
  }
  pieces.push(text.slice(last));
  return pieces;
}

describe('planPrefill and OverlapJoiner (property)', () => {
  it('join any cut and any repeated overlap back into the intended answer, in any chunking', () => {
    let runs = 0;
    let prefilled = 0;
    fc.assert(
      fc.property(
        answer,
        fc.nat(),
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (intended, cutSeed, repeat, chunkCuts) => {
          const shown = intended.slice(0, 1 + (cutSeed % intended.length));
          const plan = planPrefill(shown, 4);
          runs++;
          if (plan.prefill !== '') prefilled++;
          expect(shown.startsWith(plan.prefill)).toBe(true);
          expect(plan.prefill).toBe(plan.prefill.trimEnd());
          expect(plan.prefill + plan.heldBack).toBe(shown);
          // With no safe cut the answer restarts: the "continuation" is the whole answer again.
          const continuation = plan.prefill === '' ? intended : continueAfter(intended, plan.prefill, repeat);
          const joiner = new OverlapJoiner(plan);
          let joined = shown;
          for (const piece of splitAt(continuation, chunkCuts)) {
            const step = joiner.push(piece);
            expect(step.type).toBe('text');
            if (step.type === 'text') joined += step.text;
          }
          expect(joiner.finish().type).toBe('text');
          expect(joined).toBe(intended);
        },
      ),
      { numRuns: 3000 },
    );
    // The property is about continuations: most cuts must get a real prefill, not a restart.
    expect(prefilled / runs).toBeGreaterThan(0.6);
  });

  it('report a continuation that does not reproduce the shown text as diverged', () => {
    fc.assert(
      fc.property(
        answer,
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 12 }),
        (intended, cutSeed, other) => {
          const shown = intended.slice(0, 1 + (cutSeed % intended.length));
          const plan = planPrefill(shown, 4);
          const continuation = `\u0001${other}`;
          expect(trimOverlap(shown, plan, continuation)).toBeUndefined();
        },
      ),
    );
  });
});

describe('planPrefill', () => {
  it('cuts back to the end of a word and keeps the rest to be matched', () => {
    const plan = planPrefill('The quick bro');
    expect(plan.prefill).toBe('The quick');
    expect(plan.heldBack).toBe(' bro');
    expect(plan.expectedStarts).toEqual([' bro', 'quick bro', 'The quick bro']);
  });

  it('moves the cut back until a repeated phrase cannot be matched two ways', () => {
    const plan = planPrefill('so la la la ');
    // Cutting after the last "la" would accept "la " both as the held-back text after one repeated word and as a
    // prefix of two repeated words; the plan cuts back until the starts are unambiguous (here: a restart).
    for (const a of plan.expectedStarts) {
      for (const b of plan.expectedStarts) if (a !== b) expect(b.startsWith(a)).toBe(false);
    }
    expect(trimOverlap('so la la la ', plan, continueAfter('so la la la land', plan.prefill, 1))).toBe(
      'so la la la land',
    );
  });

  it('gives an empty prefill (a restart) when the shown text has no complete word', () => {
    expect(planPrefill('Hel')).toEqual({ prefill: '', heldBack: 'Hel', expectedStarts: ['Hel'] });
  });
});
