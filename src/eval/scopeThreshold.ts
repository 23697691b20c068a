/**
 * Picks a relevance threshold from labelled scores: the cut that best
 * separates answerable questions (kept when score ≥ threshold) from
 * out-of-scope ones, maximising (out-of-scope caught − answerable rejected);
 * ties go to the lowest such cut (refusing less). The cut sits halfway between
 * neighbouring scores, rounded to two decimals, so it does not hug one question.
 */
export function chooseScopeThreshold(scores: { score: number; inScope: boolean }[]): { threshold: number; caught: number; rejected: number } {
  const values = [...new Set(scores.map((s) => s.score))].sort((a, b) => a - b);
  const cuts = [0, ...values.slice(1).map((v, i) => (v + values[i]!) / 2), (values.at(-1) ?? 0) + 0.01];
  let best = { threshold: 0, caught: -1, rejected: 0, gain: -Infinity };
  for (const cut of cuts) {
    const t = Math.round(cut * 100) / 100;
    const caught = scores.filter((s) => !s.inScope && s.score < t).length;
    const rejected = scores.filter((s) => s.inScope && s.score < t).length;
    if (caught - rejected > best.gain) best = { threshold: t, caught, rejected, gain: caught - rejected };
  }
  return { threshold: best.threshold, caught: best.caught, rejected: best.rejected };
}
