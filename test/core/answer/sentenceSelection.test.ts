import { describe, expect, it } from 'vitest';
import { bigramRecall, selectSentences } from '../../../src/core/answer/sentenceSelection.js';
import type { Segmenter } from '../../../src/core/ports.js';
import type { Document, Passage } from '../../../src/core/types.js';

const text = '会议强调要抓好信访工作。初信初访要首接首办，及时就地化解。领导干部要带头接访下访，包案化解信访积案。天气很好。';
const doc: Document = { id: 'd', title: '讲话', text, meta: {}, hash: 'h' };
const passage: Passage = {
  chunkId: 'd#0',
  docId: 'd',
  title: '讲话',
  start: 0,
  end: text.length,
  text,
  score: 1,
  signals: { lexical: 1, dense: 0, sentence: 0 },
};
/** Splits into two-character words, enough for coverage. */
const pairs: Segmenter = {
  terms: (t) => t.replace(/[\p{P}\s]/gu, '').match(/../gu) ?? [],
  queryTerms: (t) => t.replace(/[\p{P}\s]/gu, '').match(/../gu) ?? [],
};

describe('bigramRecall', () => {
  it("is the share of the question's character pairs the sentence contains, ignoring punctuation", () => {
    expect(bigramRecall('初信初访', '初信初访要首接首办')).toBe(1);
    expect(bigramRecall('初信初访', '初信')).toBeCloseTo(1 / 3);
    expect(bigramRecall('？', '任何句子')).toBe(0);
  });
});

describe('selectSentences without an embedder', () => {
  it("picks the sentence that shares the question's words, with exact offsets, and never embeds", async () => {
    const picked = await selectSentences(
      '初信初访怎么办',
      [passage],
      new Map([['d', doc]]),
      { embedder: null, segmenter: pairs, idf: () => 1 },
      { maxSentences: 2, relativeFloor: 0.85 },
    );
    expect(picked[0]!.text).toBe('初信初访要首接首办，及时就地化解。');
    expect(text.slice(picked[0]!.start, picked[0]!.end)).toBe(picked[0]!.text);
    expect(picked.every((s) => s.text !== '天气很好。')).toBe(true);
  });
});
