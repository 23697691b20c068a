/** Lead-in completion: a sentence that announces a list is quoted with the sentences that complete it, as one exact span. */
import { describe, expect, it } from 'vitest';
import { buildDocument } from '../../../src/core/ingest/document.js';
import { completeLeadIn, isLeadIn } from '../../../src/core/answer/leadIn.js';
import type { ScoredSentence } from '../../../src/core/answer/sentenceSelection.js';
import { corpusDocument } from '../../helpers/corpus.js';

const sentenceOf = (doc: { id: string; text: string; title: string }, text: string): ScoredSentence => {
  const start = doc.text.indexOf(text);
  expect(start, text).toBeGreaterThanOrEqual(0);
  return { docId: doc.id, start, end: start + text.length, text, title: doc.title, passageRank: 0, similarity: 1, coverage: 1, score: 1 };
};

describe('isLeadIn', () => {
  it('a short sentence announcing a count, or ending in a colon, is a lead-in; a statement is not', () => {
    expect(isLeadIn('关键要做到“三个带头”。')).toBe(true);
    expect(isLeadIn('主要有以下几点：')).toBe(true);
    expect(isLeadIn('乡镇坚持每半月一排查制度。')).toBe(false);
    expect(isLeadIn('对一些疑难复杂的信访事项，各级主官要协调党委政府和相关单位研究会商，两级班子成员要履行“一岗双责”：')).toBe(false);
  });
});

describe('completeLeadIn', () => {
  it('"三个带头" in speech 003 is extended up to the third item, as one exact span of the canonical text', () => {
    const doc = corpusDocument('003');
    const done = completeLeadIn(sentenceOf(doc, '关键要做到“三个带头”。'), doc);
    expect(done.text).toContain('一要带头包案');
    expect(done.text).toContain('二要带头协调');
    expect(done.text.endsWith('三要带头调度。')).toBe(true);
    expect(doc.text.slice(done.start, done.end)).toBe(done.text);
  });

  it('a colon lead-in takes the following enumerated sentences and stops at the first that is not one', () => {
    const doc = buildDocument({ name: 'a.txt', raw: '同志们：\n下面讲两点意见：\n一是提高认识。\n二是落实责任。\n最后，希望大家努力。' });
    const done = completeLeadIn(sentenceOf(doc, '下面讲两点意见：'), doc);
    expect(done.text).toBe('下面讲两点意见：\n一是提高认识。\n二是落实责任。');
  });

  it('nothing enumerated after it, or no lead-in at all: the sentence as it was', () => {
    const doc = buildDocument({ name: 'b.txt', raw: '要做到“三个带头”。大家要认真落实。' });
    const s = sentenceOf(doc, '要做到“三个带头”。');
    expect(completeLeadIn(s, doc)).toBe(s);
    const plain = sentenceOf(doc, '大家要认真落实。');
    expect(completeLeadIn(plain, doc)).toBe(plain);
  });
});
