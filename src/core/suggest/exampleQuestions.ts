import type { Domain } from '../domain/pack.js';
import type { Document } from '../types.js';

/**
 * Example questions for an empty chat, drawn from the corpus: the domain pack's terms
 * the most speeches use (specific ones, at least four characters, none inside
 * another chosen term), each put into the pack's question template.
 */
export function exampleQuestions(documents: readonly Document[], terms: readonly string[], template: Domain['exampleTemplate'], count = 4): string[] {
  const scored = terms
    .filter((t) => [...t].length >= 4)
    .map((term) => {
      let docs = 0;
      let uses = 0;
      for (const d of documents) {
        const n = d.text.split(term).length - 1;
        if (n) docs++;
        uses += n;
      }
      return { term, docs, uses };
    })
    .filter((t) => t.uses > 0)
    .sort((a, b) => b.docs - a.docs || b.uses - a.uses || a.term.localeCompare(b.term));
  const chosen: string[] = [];
  for (const { term } of scored) {
    if (chosen.some((c) => c.includes(term) || term.includes(c))) continue;
    chosen.push(term);
    if (chosen.length === count) break;
  }
  return chosen.map((t) => template.replaceAll('{term}', t));
}
