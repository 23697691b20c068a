import type { AnswerType } from '../domain/pack.js';

/**
 * Expected-answer-type check: a question that asks for, say, a number of days
 * is only answered by a passage that states one. Near-domain questions
 * resemble the documents closely, yet no passage gives the figure they ask
 * for. The types and their patterns come from the domain pack.
 */
export function missingAnswerType(question: string, passages: readonly { text: string }[], types: readonly AnswerType[]): AnswerType | null {
  for (const t of types) {
    if (t.asks.test(question) && !passages.some((p) => t.answeredBy.test(p.text))) return t;
  }
  return null;
}
