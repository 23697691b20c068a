import type { Domain } from '../domain/pack.js';

/**
 * Query normalisation: questions carry politeness, question words and
 * colloquial phrasing that help neither BM25 nor the embedder. The core
 * content words are kept untouched.
 */

const FLUFF: readonly RegExp[] = [
  /^(?:请问|请教一下|请教|想问一下|想问|我想知道|我想问|问一下|麻烦问一下)[，,：:\s]*/u,
  /(?:是什么意思|是什么|有哪些|有什么|是怎样的|是怎么样的|怎么办|怎么做|如何做|该怎么|怎么|如何|吗|呢|呀|啊|吧)(?=[？?。!！\s]*$)/u,
  /[？?。!！\s]+$/u,
];

/**
 * Strips politeness and question words; adds the documents' wording for colloquial phrasings
 * the domain pack maps (both kept, so nothing is lost).
 */
export function normaliseQuery(question: string, synonyms: Domain['synonyms'] = []): string {
  let q = question.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  for (const re of FLUFF) q = q.replace(re, '').trim();
  const additions = synonyms.filter(([re, add]) => re.test(q) && !q.includes(add)).map(([, add]) => add);
  return additions.length ? `${q} ${additions.join(' ')}` : q || question.trim();
}

/** True when the text is mostly Latin letters (an English or other Western-language question). */
export function isMostlyLatin(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (!letters.length) return false;
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c)).length;
  return latin / letters.length > 0.5;
}
