import { describe, expect, it } from 'vitest';
import { composeExtractive, composeRefusal } from '../../../src/core/answer/compose.js';
import { toDeltas } from '../../../src/core/answer/extractive.js';
import type { ScoredSentence } from '../../../src/core/answer/sentenceSelection.js';
import { corpusDocument, corpusDocuments } from '../../helpers/corpus.js';
import { corpusDomain } from '../../helpers/domain.js';

const DOMAIN = corpusDomain();

function sentence(prefix: string, text: string, score: number, passageRank = 0): ScoredSentence {
  const doc = corpusDocument(prefix);
  const start = doc.text.indexOf(text);
  if (start < 0) throw new Error(`not in ${prefix}: ${text}`);
  return { docId: doc.id, start, end: start + text.length, text, title: doc.title, passageRank, similarity: score, coverage: 0, score };
}

const TOWNSHIP = sentence(
  '001',
  '要健全矛盾纠纷排查制度，市、县两级坚持每周一排查、每周一通报、每周一反馈的制度，乡镇坚持每半月一排查制度，村居要及时排查。',
  0.9,
);
const LATER_001 = sentence('001', '要坚持经常排查与集中排查相结合。', 0.8);
const EARLIER_001 = sentence('001', '二要始终坚持做好矛盾排查。', 0.78);
const OTHER_DOC = sentence(
  '003',
  '要建立矛盾纠纷排查化解机制，坚持定期、动态、滚动排查信访矛盾风险隐患，按照《信访管理规定》，逐项登记、建立台账、及时报告、及时化解，把握工作主动权。',
  0.85,
);

const markerNumbers = (answer: string) => [...answer.matchAll(/\[(\d+)\]/gu)].map((m) => Number(m[1]));

describe('composeExtractive', () => {
  it('quotes the best sentence first, then the rest in speech order, numbered 1..n with exact spans', () => {
    const docs = new Map(corpusDocuments().map((d) => [d.id, d]));
    const { answer, citations } = composeExtractive([TOWNSHIP, OTHER_DOC, LATER_001, EARLIER_001], 'zh', DOMAIN);
    expect(citations.map((c) => c.text)).toEqual([TOWNSHIP.text, EARLIER_001.text, LATER_001.text, OTHER_DOC.text]);
    expect(citations.map((c) => c.n)).toEqual([1, 2, 3, 4]);
    expect(markerNumbers(answer)).toEqual([1, 2, 3, 4]);
    for (const c of citations) {
      expect(docs.get(c.docId)!.text.slice(c.start, c.end)).toBe(c.text);
      expect(answer).toContain(`${c.text}[${c.n}]`);
      expect(c.title).toBe(docs.get(c.docId)!.title);
    }
    // Answer first: the best sentence is the direct line; the rest is the evidence under 根据讲话原文：.
    expect(answer.startsWith(`${TOWNSHIP.text}[1]\n\n根据讲话原文：\n`)).toBe(true);
  });

  it('with the answering clause: the clause is the direct line [1], the sentence it comes from the first evidence [2]', () => {
    const at = TOWNSHIP.text.indexOf('乡镇坚持每半月一排查制度');
    const clause = { ...TOWNSHIP, start: TOWNSHIP.start + at, end: TOWNSHIP.start + at + '乡镇坚持每半月一排查制度'.length, text: '乡镇坚持每半月一排查制度' };
    const docs = new Map(corpusDocuments().map((d) => [d.id, d]));
    const { answer, citations } = composeExtractive([TOWNSHIP, OTHER_DOC], 'zh', DOMAIN, clause);
    expect(answer.split('\n')[0]).toBe('乡镇坚持每半月一排查制度[1]。');
    expect(citations.map((c) => c.text)).toEqual([clause.text, TOWNSHIP.text, OTHER_DOC.text]);
    expect(markerNumbers(answer)).toEqual([1, 2, 3]);
    for (const c of citations) expect(docs.get(c.docId)!.text.slice(c.start, c.end)).toBe(c.text);
  });

  it('frames an English answer in English around the Chinese quotes', () => {
    const { answer, citations } = composeExtractive([TOWNSHIP], 'en', DOMAIN);
    expect(citations).toHaveLength(1);
    // One sentence: it is the answer line, with the English note; no evidence list.
    expect(answer.startsWith(`${TOWNSHIP.text}[1]`)).toBe(true);
    expect(answer).toContain('Offline extractive mode');
    expect(answer).not.toContain('根据讲话原文');
    expect(answer).not.toContain('相关要求');
  });

  it('gives an empty answer with no citations for no sentences', () => {
    expect(composeExtractive([], 'zh', DOMAIN)).toEqual({ answer: '', citations: [] });
  });
});

describe('composeRefusal', () => {
  const documents = corpusDocuments();

  it('says plainly in Chinese that the speeches do not answer, and lists what they cover', () => {
    const text = composeRefusal(documents, 'zh', DOMAIN);
    expect(text).toMatch(/^现有讲话资料中没有找到相关内容/u);
    expect(text).toContain('信访');
    for (const d of documents) expect(text).toContain(d.title);
    expect(text).not.toMatch(/\[\d+\]/u);
  });

  it('is in English for English questions, naming the missing kind of fact', () => {
    const text = composeRefusal(documents, 'en', DOMAIN, { missing: 'a number of days' });
    expect(text).toMatch(/^The speeches in Yiju's corpus do not answer this question \(none of them states a number of days\)/u);
    expect(text).not.toMatch(/现有讲话资料/u);
    expect(composeRefusal(documents, 'zh', DOMAIN, { missing: 'a number of days' })).toContain('讲话中没有提到具体天数');
  });
});

describe('toDeltas', () => {
  it('splits an answer at line and sentence ends without losing a character', () => {
    const { answer } = composeExtractive([TOWNSHIP, OTHER_DOC, LATER_001], 'zh', DOMAIN);
    const pieces = toDeltas(answer);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(answer);
    // A marker is never split from its sentence.
    for (const p of pieces) expect(p).not.toMatch(/\[\d*$|^\d*\]/u);
  });

  it('round-trips text without terminators, with markers only, and with unusual brackets', () => {
    for (const text of ['abc[1]def', '[1][2]', '没有句号', 'a[b。c]d\n\n', '初信初访。[1]\n- 依法处理[2]']) expect(toDeltas(text).join('')).toBe(text);
  });
});
