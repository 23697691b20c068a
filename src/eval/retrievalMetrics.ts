import type { RetrievalResult, Span } from '../core/types.js';
import { overlaps, type LocatedQuestion } from './evalSet.js';

export interface RetrievalMetrics {
  questions: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
  /** Out-of-scope questions flagged as not covered. */
  outOfScopeDetected: number;
  outOfScopeTotal: number;
  /** In-scope questions wrongly flagged as not covered. */
  inScopeRejected: number;
  misses: { id: string; rank: number | null }[];
}

/** Rank (1-based) of the first passage that overlaps any evidence span, or null. */
export function firstRelevantRank(passages: Span[], evidence: Span[]): number | null {
  const i = passages.findIndex((p) => evidence.some((e) => overlaps(p, e)));
  return i < 0 ? null : i + 1;
}

export function retrievalMetrics(questions: LocatedQuestion[], results: RetrievalResult[]): RetrievalMetrics {
  let r1 = 0,
    r5 = 0,
    rr = 0,
    oosDetected = 0,
    oosTotal = 0,
    rejected = 0,
    inScope = 0;
  const misses: RetrievalMetrics['misses'] = [];
  questions.forEach((q, i) => {
    const res = results[i]!;
    if (!q.inScope) {
      oosTotal++;
      if (!res.relevance.inScope) oosDetected++;
      return;
    }
    inScope++;
    if (!res.relevance.inScope) rejected++;
    const rank = firstRelevantRank(res.passages, q.spans);
    if (rank === 1) r1++;
    if (rank !== null && rank <= 5) r5++;
    if (rank !== null) rr += 1 / rank;
    if (rank !== 1) misses.push({ id: q.id, rank });
  });
  const n = inScope || 1;
  return {
    questions: inScope,
    recallAt1: r1 / n,
    recallAt5: r5 / n,
    mrr: rr / n,
    outOfScopeDetected: oosDetected,
    outOfScopeTotal: oosTotal,
    inScopeRejected: rejected,
    misses,
  };
}
