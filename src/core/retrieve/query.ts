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

/** Common colloquial phrasings mapped to the speeches' wording (both kept, so nothing is lost). */
const SYNONYMS: readonly [RegExp, string][] = [
  [/第一次(?:来)?(?:上访|信访|来访|来信)|首次(?:上访|信访|来访)|初次(?:上访|信访|来访)/u, '初信初访'],
  [/跑到北京|去北京|到北京/u, '进京'],
  [/闹事|闹访/u, '缠访闹访'],
  [/谁负责|谁来负责|由谁负责/u, '责任'],
  [/追责/u, '追究 责任'],
  [/劝(?:了|过)?(?:也|都|还)?不听|不听劝/u, '劝说无效 不听劝阻'],
  [/县里/u, '县 全县'],
  [/市里/u, '市 全市'],
  [/乡里|镇里/u, '乡镇'],
  [/事前/u, '事先'],
];

export function normaliseQuery(question: string): string {
  let q = question.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  for (const re of FLUFF) q = q.replace(re, '').trim();
  const additions = SYNONYMS.filter(([re, add]) => re.test(q) && !q.includes(add)).map(([, add]) => add);
  return additions.length ? `${q} ${additions.join(' ')}` : q || question.trim();
}

/** True when the text is mostly Latin letters (an English or other Western-language question). */
export function isMostlyLatin(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (!letters.length) return false;
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c)).length;
  return latin / letters.length > 0.5;
}
