/**
 * "Did you mean ...?" for option and variable names: the known name nearest to a wrong one,
 * by prefix (a unit left off: `visibilityTimeout`) or by a few typed characters (`concurency`).
 */

/** The candidate nearest to `word`, or undefined when none is near enough to be a typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    const distance = c.startsWith(lower) || lower.startsWith(c) ? 0.5 : editDistance(lower, c, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A prefix needs a few characters in common; an edit may touch a third of the word, at most 3.
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  if (bestDistance === 0.5) return word.length >= 3 ? best : undefined;
  return bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot be below `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= limit) return limit;
    previous = row;
  }
  return previous[b.length]!;
}
