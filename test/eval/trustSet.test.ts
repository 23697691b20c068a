import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnswerResult } from '../../src/core/answer/types.js';
import type { Passage, RetrievalResult } from '../../src/core/types.js';
import { firstLine, locateTrustSet, TRUST_CATEGORIES, trustMetrics, type LocatedTrustQuestion } from '../../src/eval/trustSet.js';
import { corpusDocuments, REPO_ROOT } from '../helpers/corpus.js';

describe('test/eval/trust.json (the blind answerability set)', () => {
  const set = locateTrustSet(JSON.parse(readFileSync(`${REPO_ROOT}/test/eval/trust.json`, 'utf8')), corpusDocuments());

  it('has at least 80 questions, every category, and all three labels', () => {
    expect(set.length).toBeGreaterThanOrEqual(80);
    for (const c of TRUST_CATEGORIES) expect(set.filter((q) => q.category === c).length, c).toBeGreaterThanOrEqual(8);
    for (const a of ['yes', 'partial', 'no'])
      expect(
        set.some((q) => q.answerable === a),
        a,
      ).toBe(true);
  });

  it('is consistent: a reason exactly when not yes, evidence located verbatim in the canonical text', () => {
    for (const q of set) {
      expect(q.reason === null, q.id).toBe(q.answerable === 'yes');
      if (q.answerable === 'yes') expect(q.span, q.id).not.toBeNull();
    }
    expect(new Set(set.map((q) => q.id)).size).toBe(set.length);
  });
});

describe('test/eval/trust-dev2.json (the second blind development set)', () => {
  const set = locateTrustSet(JSON.parse(readFileSync(`${REPO_ROOT}/test/eval/trust-dev2.json`, 'utf8')), corpusDocuments());

  it('is consistent: a reason exactly when not yes, evidence located verbatim, ids unique', () => {
    expect(set.length).toBeGreaterThanOrEqual(80);
    for (const q of set) {
      expect(q.reason === null, q.id).toBe(q.answerable === 'yes');
      if (q.answerable === 'yes') expect(q.span, q.id).not.toBeNull();
    }
    expect(new Set(set.map((q) => q.id)).size).toBe(set.length);
  });
});

describe('trustMetrics', () => {
  const span = { docId: 'd', start: 10, end: 20 };
  const q = (
    id: string,
    category: LocatedTrustQuestion['category'],
    answerable: LocatedTrustQuestion['answerable'],
    keyPoint: string | null,
  ): LocatedTrustQuestion => ({
    id,
    category,
    question: '?',
    answerable,
    reason: answerable === 'yes' ? null : 'not_in_corpus',
    doc: 'd',
    evidence: 'x',
    keyPoint,
    span: answerable === 'no' ? null : span,
  });
  const passage = (start: number, end: number): Passage => ({
    chunkId: 'c',
    docId: 'd',
    title: 't',
    start,
    end,
    text: '',
    score: 1,
    signals: { lexical: 0, dense: 0, sentence: 0 },
  });
  const retrieval = (...passages: Passage[]): RetrievalResult => ({
    query: '',
    passages,
    relevance: { denseMax: 0, lexicalCoverage: 0, inScope: true },
    timings: { embedMs: 0, retrieveMs: 0 },
  });
  const answer = (text: string, grounded: boolean): AnswerResult => ({
    answer: text,
    mode: 'extractive',
    grounded,
    answerable: grounded ? 'yes' : 'no',
    citations: [],
    standaloneQuestion: '',
  });

  it('counts recall at 1 and 5 by overlap, answerability against the labels, refusals, and the key point in the first line', () => {
    const rows = trustMetrics(
      [q('a', 'detail', 'yes', '每半月'), q('b', 'detail', 'yes', '每周'), q('c', 'task', 'no', null)],
      [retrieval(passage(0, 15)), retrieval(passage(30, 40), passage(12, 18)), retrieval()],
      [answer('乡镇：每半月一排查。[1]\n\n- 引文', true), answer('根据原文：\n\n县每周一排查', false), answer('不能代写。', false)],
    );
    expect(rows.detail).toMatchObject({
      questions: 2,
      withEvidence: 2,
      recallAt1: 0.5,
      recallAt5: 1,
      answerability: 0.5,
      answerableRefused: 1,
      keyPointFirst: 0.5,
      keyPointTotal: 2,
    });
    expect(rows.task).toMatchObject({ questions: 1, answerability: 1, answerableRefused: 0, keyPointTotal: 0 });
    expect(rows.all!.questions).toBe(3);
  });

  it('reads the first line with text', () => {
    expect(firstLine('\n\n> \n乡镇：每半月一排查。[1]\n后文')).toBe('乡镇：每半月一排查。[1]');
  });
});
