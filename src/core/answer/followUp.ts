import type { ChatTurn } from './types.js';

/**
 * Deterministic rewriting of an elliptical follow-up into a standalone
 * question, for the offline mode ("那乡镇呢？" after "县里多久排查一次矛盾纠纷？"
 * → "乡镇多久排查一次矛盾纠纷？"). With an LLM configured, the LLM rewrites instead.
 */

/** Words that name an administrative level or unit; a follow-up naming another one swaps it in. */
const LEVELS = ['县里', '市里', '乡里', '镇里', '村里', '省里', '全县', '全市', '全省', '县级', '市级', '乡级', '县', '市', '省', '乡镇', '乡', '镇', '村', '社区', '总队', '支队', '部门', '单位'];
const FOLLOW_UP = /^(?:那么?|那|还有|再问一下|另外|and|what about|how about)\s*/iu;
const TAIL = /(?:呢|的情况|怎么样|怎么办|又如何|如何|吗)?[？?。.!！\s]*$/u;
const PRONOUNS = /这个|那个|这项|这些|它|他们|上述|前面说的|this|that|it\b|they\b/iu;

function previousQuestion(history: ChatTurn[]): string | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.role === 'user' && history[i]!.content.trim()) return history[i]!.content.trim();
  return undefined;
}

/** Elliptical follow-ups: "那乡镇呢？", "还有呢", "what about townships?", or a question leaning on a pronoun. */
export function isFollowUp(question: string): boolean {
  const q = question.trim();
  return FOLLOW_UP.test(q) || /呢[？?]?$/u.test(q) || PRONOUNS.test(q);
}

export function rewriteFollowUp(question: string, history: ChatTurn[] = []): string {
  const q = question.trim();
  const previous = previousQuestion(history);
  if (!previous || !isFollowUp(q)) return q;
  const focus = q.replace(FOLLOW_UP, '').replace(TAIL, '').trim();
  if (!focus) return previous;
  const newLevel = LEVELS.find((l) => focus.includes(l));
  if (newLevel) {
    const oldLevel = LEVELS.find((l) => previous.includes(l) && !focus.includes(l));
    if (oldLevel) return previous.replace(oldLevel, focus);
  }
  if (PRONOUNS.test(focus)) return `${previous.replace(/[？?。.!！\s]+$/u, '')}：${q}`;
  return `${focus} ${previous}`;
}
