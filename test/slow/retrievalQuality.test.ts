/**
 * Retrieval quality on the project's evaluation set, with the real model and
 * the real corpus: the targets of the retrieval issue, as a regression gate.
 * Slow (builds the index with the model): run by `npm run test:slow` and CI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/node/config.js';
import type { RetrievalMode } from '../../src/core/retrieve/retriever.js';
import { locateEvalSet, type LocatedQuestion } from '../../src/eval/evalSet.js';
import { answerMetrics, type AnswerMetrics } from '../../src/eval/answerMetrics.js';
import { retrievalMetrics, type RetrievalMetrics } from '../../src/eval/retrievalMetrics.js';
import { createRuntime, type Runtime } from '../../src/node/runtime.js';

let dataDir: string;
let rt: Runtime;
let questions: LocatedQuestion[];
const metrics: Partial<Record<RetrievalMode, RetrievalMetrics>> = {};
let answerQuality: AnswerMetrics;

async function measure(mode: RetrievalMode): Promise<RetrievalMetrics> {
  const retriever = rt.withRetriever({ mode });
  const results = [];
  for (const q of questions) results.push(await retriever.retrieve(q.question, 5));
  return retrievalMetrics(questions, results);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'yiju-quality-'));
  const config = loadConfig({ ...process.env, YIJU_DATA_DIR: dataDir, YIJU_CORPUS_DIR: 'corpus' });
  rt = await createRuntime(config);
  questions = locateEvalSet(JSON.parse(readFileSync('test/eval/questions.json', 'utf8')), [...rt.opened.index.documents.values()]);
  for (const mode of ['lexical', 'dense', 'rrf', 'hybrid'] as RetrievalMode[]) metrics[mode] = await measure(mode);
  const answers = [];
  for (const q of questions) answers.push(await rt.extractive.answer(q.question));
  answerQuality = answerMetrics(questions, answers, (id) => rt.opened.index.documents.get(id)?.text);
}, 300_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('retrieval quality on test/eval/questions.json', () => {
  it('has the size and mix the issue asks for', () => {
    expect(questions.length).toBeGreaterThanOrEqual(40);
    expect(questions.filter((q) => !q.inScope).length).toBeGreaterThanOrEqual(6);
    expect(questions.some((q) => q.lang === 'en')).toBe(true);
    expect(questions.some((q) => q.kind === 'multi')).toBe(true);
  });

  it('hybrid: recall@1 ≥ 0.95 and recall@5 = 1.0', () => {
    expect(metrics.hybrid!.recallAt1).toBeGreaterThanOrEqual(0.95);
    expect(metrics.hybrid!.recallAt5).toBe(1);
  });

  it('hybrid: every out-of-scope question detected, no answerable question rejected', () => {
    expect(metrics.hybrid!.outOfScopeDetected).toBe(metrics.hybrid!.outOfScopeTotal);
    expect(metrics.hybrid!.inScopeRejected).toBe(0);
  });

  it('hybrid beats BM25 alone, dense alone and plain RRF on recall@1 and MRR', () => {
    for (const mode of ['lexical', 'dense', 'rrf'] as const) {
      expect(metrics.hybrid!.recallAt1).toBeGreaterThan(metrics[mode]!.recallAt1);
      expect(metrics.hybrid!.mrr).toBeGreaterThan(metrics[mode]!.mrr);
    }
  });
});

describe('extractive answers on test/eval/questions.json', () => {
  it('refuse every out-of-scope question and no answerable one', () => {
    expect(answerQuality.refusedOutOfScope).toBe(answerQuality.outOfScopeTotal);
    expect(answerQuality.refusedInScope).toBe(0);
  });

  it('contain at least 90 % of the expected key facts', () => {
    expect(answerQuality.keyFactsTotal).toBeGreaterThan(100);
    expect(answerQuality.keyFactRecall).toBeGreaterThanOrEqual(0.9);
  });

  it('cite only exact spans of the documents', () => {
    expect(answerQuality.badCitations).toBe(0);
  });
});
