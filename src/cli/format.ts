import type { AnswerResult } from '../core/answer/types.js';
import type { RetrievalResult } from '../core/types.js';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Human-readable search results for the terminal. */
export function formatPassages(result: RetrievalResult): string {
  const lines: string[] = [];
  const r = result.relevance;
  lines.push(`问题 / query: ${result.query}`);
  lines.push(
    `relevance: dense ${r.denseMax.toFixed(3)}, lexical coverage ${r.lexicalCoverage.toFixed(2)} → ${r.inScope ? 'in scope' : 'probably NOT covered by the corpus'}`,
  );
  result.passages.forEach((p, i) => {
    lines.push('');
    lines.push(`[${i + 1}] ${p.title}  (${p.docId} ${p.start}–${p.end}, score ${p.score.toFixed(3)})`);
    lines.push(`    ${clip(p.text.replace(/\n/gu, ' '), 220)}`);
  });
  lines.push('');
  lines.push(`(${result.timings.embedMs.toFixed(0)} ms embedding, ${result.timings.retrieveMs.toFixed(1)} ms retrieval)`);
  return lines.join('\n') + '\n';
}

/** An answer and its citations (title and the quoted span) for the terminal. */
export function formatAnswer(result: AnswerResult): string {
  const lines = [result.answer, ''];
  if (result.fallback) lines.push(`(fallback: ${result.fallback})`);
  lines.push(`mode: ${result.mode}${result.grounded ? '' : ' · not covered by the speeches'}`);
  for (const c of result.citations) {
    lines.push('', `[${c.n}] ${c.title}  (${c.docId} ${c.start}–${c.end})`, `    「${clip(c.text.replace(/\n/gu, ' '), 300)}」`);
  }
  return lines.join('\n') + '\n';
}
