/**
 * The candidate closest to a misspelt name, when it is close enough to be a likely typo (an edit distance of at most
 * a third of the name's length, and at least 1; a case difference counts as half an edit, a swap as one). `undefined` otherwise.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(input.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Edit distance with insertions, deletions, substitutions and swaps of neighbours (`retyr` is one edit from `retry`). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const left = a[i - 1]!;
      const right = b[j - 1]!;
      const substitution = left === right ? 0 : left.toLowerCase() === right.toLowerCase() ? 0.5 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + substitution);
      if (i > 1 && j > 1 && left === b[j - 2] && a[i - 2] === right)
        best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}
