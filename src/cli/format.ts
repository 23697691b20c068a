import type { RetrievalResult } from '../core/types.js';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Human-readable search results for the terminal. */
export function formatPassages(result: RetrievalResult): string {
  const lines: string[] = [];
  const r = result.relevance;
  lines.push(`问题 / query: ${result.query}`);
  lines.push(`relevance: dense ${r.denseMax.toFixed(3)}, lexical coverage ${r.lexicalCoverage.toFixed(2)} → ${r.inScope ? 'in scope' : 'probably NOT covered by the corpus'}`);
  result.passages.forEach((p, i) => {
    lines.push('');
    lines.push(`[${i + 1}] ${p.title}  (${p.docId} ${p.start}–${p.end}, score ${p.score.toFixed(3)})`);
    lines.push(`    ${clip(p.text.replace(/\n/gu, ' '), 220)}`);
  });
  lines.push('');
  lines.push(`(${result.timings.embedMs.toFixed(0)} ms embedding, ${result.timings.retrieveMs.toFixed(1)} ms retrieval)`);
  return lines.join('\n') + '\n';
}
