/**
 * `npx tsx scripts/inspect-eval.ts [hybrid|lexical|dense|rrf]` (SET=holdout for the held-out set):
 * one line per evaluation question with its relevance signals, and for every miss the
 * normalised query, the expected evidence and the top three passages with their signals.
 * A development tool for understanding retrieval errors.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/node/config.js';
import { locateEvalSet } from '../src/eval/evalSet.js';
import { firstRelevantRank } from '../src/eval/retrievalMetrics.js';
import { createRuntime } from '../src/node/runtime.js';
const config = loadConfig(process.env);
const rt = await createRuntime(config, {});
const qs = locateEvalSet(JSON.parse(readFileSync(`test/eval/${process.env.SET ?? 'questions'}.json`, 'utf8')), [...rt.opened.index.documents.values()]);
const r = rt.withRetriever({ mode: (process.argv[2] as any) ?? 'hybrid' });
for (const q of qs) {
  const res = await r.retrieve(q.question, 5);
  const rank = q.inScope ? firstRelevantRank(res.passages, q.spans) : null;
  const flag = q.inScope ? (rank === 1 ? 'ok ' : `MISS@${rank}`) : 'OOS';
  console.log(
    `${q.id} ${flag} inScope=${res.relevance.inScope} dense=${res.relevance.denseMax.toFixed(3)} cov=${res.relevance.lexicalCoverage.toFixed(2)} ${q.question}`,
  );
  if (q.inScope && rank !== 1) {
    console.log(`   query: ${res.query}`);
    console.log(`   want: ${q.spans.map((s) => `${s.docId.slice(0, 3)}:${s.start}`).join(',')} ${q.evidence?.[0]}`);
    for (const p of res.passages.slice(0, 3))
      console.log(
        `   got ${p.docId.slice(0, 3)}:${p.start}-${p.end} ${p.score.toFixed(3)} L${p.signals.lexical.toFixed(2)} S${p.signals.sentence.toFixed(3)} C${p.signals.dense.toFixed(3)} ${p.text.slice(0, 50)}`,
      );
  }
}
