/**
 * Multi-part questions: a question with several questions in it is answered part by part, and a part the
 * quoted evidence does not answer is named rather than passed over.
 */

/** A part shorter than this (characters, punctuation excluded) joins the one before it ("是吗？"). */
const MIN_PART = 4;

/** The parts of a question: its sentences that end in a question mark or a semicolon; one part when there is one. */
export function splitParts(question: string): string[] {
  const pieces = question.match(/[^？?；;]+[？?；;]*/gu) ?? [question];
  const parts: string[] = [];
  for (const raw of pieces) {
    const p = raw.trim();
    if (!p) continue;
    if (parts.length && p.replace(/[\s\p{P}\p{S}]/gu, '').length < MIN_PART) parts[parts.length - 1] += p;
    else parts.push(p);
  }
  return parts.length ? parts : [question.trim()];
}

/** What an unanswered part lacks, when it asks for no particular kind of detail. */
export const UNANSWERED_PART = { zh: '这一部分的答案', en: 'an answer to this part' };

/** Sentences considered for one part, best first (tried on test/eval/trust-dev.json and questions.json). */
export const PART_CANDIDATES = 3;
