/**
 * `npm run eval`: retrieval quality on the project's evaluation set
 * (test/eval/questions.json) for BM25 only, dense only and hybrid.
 * Options: --json (machine-readable), --verbose (list misses).
 */
import { readFileSync } from 'node:fs';
import type { RetrievalMode } from '../src/core/retrieve/retriever.js';
import { locateEvalSet } from '../src/eval/evalSet.js';
import { retrievalMetrics, type RetrievalMetrics } from '../src/eval/retrievalMetrics.js';
import { log, runCli } from '../src/cli/run.js';
import { createRuntime } from '../src/node/runtime.js';

const args = new Set(process.argv.slice(2));

await runCli(async (config) => {
  const rt = await createRuntime(config, { log });
  const questions = locateEvalSet(JSON.parse(readFileSync(new URL('../test/eval/questions.json', import.meta.url), 'utf8')), [...rt.opened.index.documents.values()]);
  const rows: Record<string, RetrievalMetrics> = {};
  for (const mode of ['lexical', 'dense', 'rrf', 'hybrid'] as RetrievalMode[]) {
    const retriever = rt.withRetriever({ mode });
    const results = [];
    for (const q of questions) results.push(await retriever.retrieve(q.question, 5));
    rows[mode] = retrievalMetrics(questions, results);
  }
  if (args.has('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const names: Record<string, string> = { lexical: 'BM25 + jieba', dense: 'dense (bge-small-zh, passages)', rrf: 'RRF of BM25 and dense', hybrid: 'Yiju hybrid' };
  const pct = (x: number) => x.toFixed(3);
  const inScope = rows.hybrid!.questions;
  process.stdout.write(`Retrieval on ${questions.length} questions (${inScope} answerable, ${questions.length - inScope} out of scope)\n\n`);
  process.stdout.write('| method | recall@1 | recall@5 | MRR | out-of-scope detected | in-scope rejected |\n|---|---|---|---|---|---|\n');
  for (const [mode, m] of Object.entries(rows)) {
    process.stdout.write(`| ${names[mode]} | ${pct(m.recallAt1)} | ${pct(m.recallAt5)} | ${pct(m.mrr)} | ${m.outOfScopeDetected}/${m.outOfScopeTotal} | ${m.inScopeRejected} |\n`);
  }
  if (args.has('--verbose')) {
    for (const [mode, m] of Object.entries(rows)) process.stdout.write(`\n${mode} misses: ${m.misses.map((x) => `${x.id}@${x.rank ?? '-'}`).join(' ')}\n`);
  }
});
