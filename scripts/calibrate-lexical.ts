/**
 * `npm run calibrate:lexical`: the relevance threshold for lexical-only
 * retrieval (a Worker's bundled index, no embedder), chosen on the development
 * set and reported on the held-out set. Needs no model: the corpus is bundled
 * as for a Worker. Compare with DEFAULT_THRESHOLDS.lexicalOnly.
 * `--save` also writes bench/results/lexical.json (the docs' bundled-mode figures are rendered from it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { openCorpusBundle } from '../src/core/indexing/corpusBundle.js';
import { DEFAULT_THRESHOLDS } from '../src/core/retrieve/retriever.js';
import { lexicalOnlyPipeline } from '../src/core/retrieve/lexicalOnly.js';
import { answerMetrics } from '../src/eval/answerMetrics.js';
import { locateEvalSet } from '../src/eval/evalSet.js';
import { retrievalMetrics } from '../src/eval/retrievalMetrics.js';
import { chooseScopeThreshold } from '../src/eval/scopeThreshold.js';
import { runCli } from '../src/cli/run.js';
import { bundleCorpus } from '../src/node/corpusBundle.js';

await runCli(async (config) => {
  const { documents, chunks, bm25, domain } = openCorpusBundle(await bundleCorpus(config));
  const load = (name: string) => locateEvalSet(JSON.parse(readFileSync(new URL(`../test/eval/${name}.json`, import.meta.url), 'utf8')), documents);
  const probe = lexicalOnlyPipeline(documents, chunks, bm25, {}, domain);
  const dev = load('questions');
  const scores = [];
  for (const q of dev) scores.push({ score: (await probe.retriever.retrieve(q.question, 5)).relevance.lexicalCoverage, inScope: q.inScope });
  const chosen = chooseScopeThreshold(scores);
  process.stdout.write(
    `chosen on the development set: lexicalOnly = ${chosen.threshold} (catches ${chosen.caught} out-of-scope, rejects ${chosen.rejected} answerable); the default is ${DEFAULT_THRESHOLDS.lexicalOnly}\n\n`,
  );
  process.stdout.write(
    '| set | recall@1 | recall@5 | MRR | out-of-scope refused | answerable refused | key facts in answers |\n|---|---|---|---|---|---|---|\n',
  );
  const sets: Record<string, unknown> = {};
  const { retriever, answerer } = lexicalOnlyPipeline(documents, chunks, bm25, { thresholds: { lexicalOnly: chosen.threshold } }, domain);
  for (const [name, set] of [
    ['development', dev],
    ['held-out', load('holdout')],
  ] as const) {
    const results = [];
    const answers = [];
    for (const q of set) {
      results.push(await retriever.retrieve(q.question, 5));
      answers.push(await answerer.answer(q.question));
    }
    const r = retrievalMetrics(set, results);
    const a = answerMetrics(set, answers, (id) => documents.find((d) => d.id === id)?.text);
    const { misses: _misses, ...retrieval } = r;
    const { missingFacts: _missing, ...answersRow } = a;
    sets[name] = { questions: set.length, retrieval, answers: answersRow };
    process.stdout.write(
      `| ${name} | ${r.recallAt1.toFixed(3)} | ${r.recallAt5.toFixed(3)} | ${r.mrr.toFixed(3)} | ${a.refusedOutOfScope}/${a.outOfScopeTotal} | ${a.refusedInScope} | ${(100 * a.keyFactRecall).toFixed(1)} % of ${a.keyFactsTotal} |\n`,
    );
  }
  if (process.argv.includes('--save')) {
    const result = {
      date: new Date().toISOString(),
      threshold: { chosen: chosen.threshold, caught: chosen.caught, rejected: chosen.rejected, default: DEFAULT_THRESHOLDS.lexicalOnly },
      sets,
    };
    writeFileSync(new URL('../bench/results/lexical.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  }
});
