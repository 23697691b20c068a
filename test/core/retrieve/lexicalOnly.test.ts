/**
 * Lexical-only retrieval and answers (a Worker's bundled index: BM25 over jieba
 * terms, queries segmented against the index's own vocabulary, no embedder),
 * measured on the evaluation sets. The scope threshold is chosen on the
 * development set by the rule in src/eval/scopeThreshold.ts; the held-out set
 * checks it was not fitted to those questions.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/node/config.js';
import { openCorpusBundle, type OpenedBundle } from '../../../src/core/indexing/corpusBundle.js';
import { VocabularySegmenter } from '../../../src/core/lexical/vocabularySegmenter.js';
import { lexicalOnlyPipeline, NO_VECTORS } from '../../../src/core/retrieve/lexicalOnly.js';
import { DEFAULT_THRESHOLDS } from '../../../src/core/retrieve/retriever.js';
import type { RetrievalResult } from '../../../src/core/types.js';
import { answerMetrics } from '../../../src/eval/answerMetrics.js';
import { locateEvalSet, type LocatedQuestion } from '../../../src/eval/evalSet.js';
import { retrievalMetrics } from '../../../src/eval/retrievalMetrics.js';
import { chooseScopeThreshold } from '../../../src/eval/scopeThreshold.js';
import { bundleCorpus } from '../../../src/node/corpusBundle.js';
import { CORPUS_DIR, REPO_ROOT } from '../../helpers/corpus.js';

let corpus: OpenedBundle;
const load = (name: string) => locateEvalSet(JSON.parse(readFileSync(`${REPO_ROOT}/test/eval/${name}.json`, 'utf8')), corpus.documents);

beforeAll(async () => {
  corpus = openCorpusBundle(await bundleCorpus(loadConfig({ YIJU_CORPUS_DIR: CORPUS_DIR })));
});

describe('lexicalOnlyPipeline', () => {
  it('never embeds: its index holds no vectors and the retriever reports no dense signal', async () => {
    const { index, segmenter, retriever } = lexicalOnlyPipeline(corpus.documents, corpus.chunks, corpus.bm25, {}, corpus.domain);
    expect(index.vectors).toBe(NO_VECTORS);
    expect(segmenter).toBeInstanceOf(VocabularySegmenter);
    const r = await retriever.retrieve('初信初访应该怎么处理？', 3);
    expect(r.relevance.denseMax).toBe(0);
    expect(r.passages.every((p) => p.signals.dense === 0 && p.signals.sentence === 0)).toBe(true);
    expect(r.passages[0]!.text).toContain('初信初访');
    expect(r.timings.embedMs).toBeLessThan(1);
  });

  it('answers with exact spans and refuses a question the speeches do not cover', async () => {
    const { answerer } = lexicalOnlyPipeline(corpus.documents, corpus.chunks, corpus.bm25, {}, corpus.domain);
    const yes = await answerer.answer('乡镇的信访联席会议由谁牵头召集？');
    expect(yes.grounded).toBe(true);
    expect(yes.citations.length).toBeGreaterThan(0);
    for (const c of yes.citations) expect(corpus.documents.find((d) => d.id === c.docId)!.text.slice(c.start, c.end)).toBe(c.text);
    expect(yes.citations[0]!.text).toContain('联席会议');
    const no = await answerer.answer('办营业执照需要带哪些材料？');
    expect(no.grounded).toBe(false);
    expect(no.citations).toEqual([]);
  });
});

describe('lexical-only quality on the evaluation sets', () => {
  const run = async (questions: LocatedQuestion[], lexicalOnly = DEFAULT_THRESHOLDS.lexicalOnly) => {
    const { retriever, answerer } = lexicalOnlyPipeline(corpus.documents, corpus.chunks, corpus.bm25, { thresholds: { lexicalOnly } }, corpus.domain);
    const results: RetrievalResult[] = [];
    const answers = [];
    for (const q of questions) {
      results.push(await retriever.retrieve(q.question, 5));
      answers.push(await answerer.answer(q.question));
    }
    return {
      retrieval: retrievalMetrics(questions, results),
      answers: answerMetrics(questions, answers, (id) => corpus.documents.find((d) => d.id === id)?.text),
      results,
    };
  };

  it('the default scope threshold is the one the calibration rule picks on the development set', async () => {
    const dev = load('questions');
    const { results } = await run(dev, 0);
    const chosen = chooseScopeThreshold(dev.map((q, i) => ({ score: results[i]!.relevance.lexicalCoverage, inScope: q.inScope })));
    expect(DEFAULT_THRESHOLDS.lexicalOnly).toBe(chosen.threshold);
  });

  it('development set: finds the evidence and refuses every out-of-scope question', async () => {
    const { retrieval, answers } = await run(load('questions'));
    expect(retrieval.recallAt5).toBeGreaterThanOrEqual(0.95);
    expect(retrieval.recallAt1).toBeGreaterThanOrEqual(0.85);
    expect(answers.refusedOutOfScope).toBe(answers.outOfScopeTotal);
    expect(answers.refusedInScope).toBeLessThanOrEqual(2);
    expect(answers.keyFactRecall).toBeGreaterThanOrEqual(0.7);
    expect(answers.badCitations).toBe(0);
  });

  it('held-out set: the threshold carries over (measured once, not tuned on)', async () => {
    const { retrieval, answers } = await run(load('holdout'));
    expect(retrieval.recallAt5).toBeGreaterThanOrEqual(0.9);
    expect(answers.refusedOutOfScope).toBeGreaterThanOrEqual(answers.outOfScopeTotal - 1);
    expect(answers.refusedInScope).toBeLessThanOrEqual(1);
    expect(answers.keyFactRecall).toBeGreaterThanOrEqual(0.6);
    expect(answers.badCitations).toBe(0);
  });
});
