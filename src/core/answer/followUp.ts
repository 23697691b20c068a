import type { ChatTurn } from './types.js';

/**
 * Deterministic rewriting of an elliptical follow-up into a standalone
 * question, for the offline mode ("那乡镇呢？" after "县里多久排查一次矛盾纠纷？"
 * → "乡镇多久排查一次矛盾纠纷？"), swapping the levels or units the domain pack
 * names. With an LLM configured, the LLM rewrites instead.
 */

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

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
/** A run of level words, joined or listed, with an optional "两级"/"三级": 市县两级, 县、乡, 县里. */
const levelRun = (levels: readonly string[]) => {
  const alt = [...levels]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');
  return new RegExp(`(?:${alt})(?:[、和与及]?(?:${alt}))*(?:[两三四五]级)?`, 'u');
};

export function rewriteFollowUp(question: string, history: ChatTurn[] = [], levels: readonly string[] = []): string {
  const q = question.trim();
  const previous = previousQuestion(history);
  if (!previous || !isFollowUp(q)) return q;
  const focus = q.replace(FOLLOW_UP, '').replace(TAIL, '').trim();
  if (!focus) return previous;
  const newLevel = levels.find((l) => focus.includes(l));
  if (newLevel) {
    // The previous question's levels, as one run ("市县两级", "县、乡"), give way to the new one.
    const run = levelRun(levels).exec(previous);
    if (run && !focus.includes(run[0])) return previous.replace(run[0], focus);
    const oldLevel = levels.find((l) => previous.includes(l) && !focus.includes(l));
    if (oldLevel) return previous.replace(oldLevel, focus);
  }
  if (PRONOUNS.test(focus)) return `${previous.replace(/[？?。.!！\s]+$/u, '')}：${q}`;
  return `${focus} ${previous}`;
}
