import type { Domain } from '../domain/pack.js';

/**
 * Cross-lingual query expansion for the embedded (offline) mode.
 *
 * The documents are Chinese and the local embedder (bge-small-zh) is weak
 * across languages, so an English question is expanded with the Chinese
 * terms it mentions, from the domain pack's glossary. The expansion is
 * searched lexically and embedded alongside the original question. It is a
 * vocabulary of the domain, not a translator: when an LLM is configured,
 * questions can be rewritten by it instead.
 */

/**
 * Returns the Chinese terms an English question mentions (and any Chinese it
 * already contains), in question order, de-duplicated; '' when nothing matched.
 */
export function expandToChinese(question: string, glossary: Domain['glossary']): string {
  let rest = question.toLowerCase();
  const found: { at: number; zh: string }[] = [];
  for (const { re, zh } of glossary) {
    rest = rest.replace(re, (m, ...args) => {
      found.push({ at: args[args.length - 2] as number, zh });
      return ' '.repeat(m.length); // consume, so shorter entries do not match inside longer ones
    });
  }
  for (const m of question.matchAll(/[\p{Script=Han}]+/gu)) found.push({ at: m.index ?? 0, zh: m[0] });
  const terms: string[] = [];
  for (const { zh } of found.sort((a, b) => a.at - b.at)) for (const t of zh.split(' ')) if (!terms.includes(t)) terms.push(t);
  return terms.join(' ');
}
