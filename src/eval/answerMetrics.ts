import type { AnswerResult } from '../core/answer/types.js';
import type { LocatedQuestion } from './evalSet.js';

export interface AnswerMetrics {
  /**
   * Out-of-scope questions not presented as answered: refused (answerable "no"), or answered in part saying
   * what the documents do not give (answerable "partial"). Before answerability existed: grounded false.
   */
  refusedOutOfScope: number;
  outOfScopeTotal: number;
  /** Answerable questions wrongly refused (answerable "no"). */
  refusedInScope: number;
  /** Answerable questions answered only in part (answerable "partial"; their quotes still count for key facts). */
  partialInScope: number;
  /** Share of the expected key facts found in answers to answerable questions. */
  keyFactRecall: number;
  keyFactsTotal: number;
  /** Share of answered, answerable questions whose answer's first line holds at least one key fact (answer first). */
  keyFactFirstLine: number;
  /** Citations whose text is not the exact span they claim (must be 0). */
  badCitations: number;
  missingFacts: { id: string; facts: string[] }[];
}

/** Key facts count as present when they appear in the answer (punctuation and spaces ignored). */
export function answerMetrics(questions: LocatedQuestion[], answers: AnswerResult[], documentText: (docId: string) => string | undefined): AnswerMetrics {
  const squash = (s: string) => s.replace(/[\s\p{P}]/gu, '');
  let refusedOut = 0,
    outTotal = 0,
    refusedIn = 0,
    partialIn = 0,
    facts = 0,
    found = 0,
    bad = 0,
    answered = 0,
    firstLine = 0;
  const missingFacts: AnswerMetrics['missingFacts'] = [];
  questions.forEach((q, i) => {
    const a = answers[i]!;
    for (const c of a.citations) if (documentText(c.docId)?.slice(c.start, c.end) !== c.text) bad++;
    if (!q.inScope) {
      outTotal++;
      if (!a.grounded || a.answerable !== 'yes') refusedOut++;
      return;
    }
    if (!a.grounded) refusedIn++;
    if (a.answerable === 'partial') partialIn++;
    const text = squash(a.answer);
    const missing = (q.keyFacts ?? []).filter((f) => !text.includes(squash(f)));
    facts += q.keyFacts?.length ?? 0;
    found += (q.keyFacts?.length ?? 0) - missing.length;
    if (q.keyFacts?.length && a.grounded) {
      answered++;
      const first = squash(a.answer.split('\n').find((l) => squash(l.replace(/\[\d+\]/gu, ''))) ?? '');
      if (q.keyFacts.some((f) => first.includes(squash(f)))) firstLine++;
    }
    if (missing.length) missingFacts.push({ id: q.id, facts: missing });
  });
  return {
    refusedOutOfScope: refusedOut,
    outOfScopeTotal: outTotal,
    refusedInScope: refusedIn,
    partialInScope: partialIn,
    keyFactRecall: facts ? found / facts : 1,
    keyFactsTotal: facts,
    keyFactFirstLine: answered ? firstLine / answered : 0,
    badCitations: bad,
    missingFacts,
  };
}
