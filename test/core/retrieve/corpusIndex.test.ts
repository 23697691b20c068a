import { describe, expect, it } from 'vitest';
import { ExactVectorStore } from '../../../src/adapters/vectorstores/exactStore.js';
import { Bm25Index } from '../../../src/core/lexical/bm25.js';
import { chunkVectorId, CorpusIndex, parseVectorId, sentenceVectorId } from '../../../src/core/retrieve/corpusIndex.js';
import type { Chunk } from '../../../src/core/types.js';

const chunk = (docId: string, index: number, sentences = 1): Chunk => ({
  id: `${docId}#${index}`,
  docId,
  index,
  start: index * 10,
  end: index * 10 + 9,
  text: 'x'.repeat(9),
  sentences: Array.from({ length: sentences }, (_, j) => ({ docId, start: index * 10 + j, end: index * 10 + j + 1 })),
});

describe('vector ids', () => {
  it('round-trip through parseVectorId, also for ids with ":" and "#"', () => {
    for (const chunkId of ['000_abc#0', 'a:b#12', '讲话#3']) {
      expect(parseVectorId(chunkVectorId(chunkId))).toEqual({ chunkId, sentence: null });
      expect(parseVectorId(sentenceVectorId(chunkId, 7))).toEqual({ chunkId, sentence: 7 });
    }
    expect(chunkVectorId('a#1')).not.toBe(sentenceVectorId('a#1', 0));
  });
});

describe('CorpusIndex', () => {
  const chunks = [chunk('a', 0, 2), chunk('a', 1, 3), chunk('a', 2, 1), chunk('b', 0, 4)];
  const index = new CorpusIndex([], chunks, new Bm25Index(), new ExactVectorStore(2));

  it('finds the neighbours of a chunk within its document', () => {
    expect(index.neighbours(chunks[0]!).map((c) => c.id)).toEqual(['a#1']);
    expect(index.neighbours(chunks[1]!).map((c) => c.id)).toEqual(['a#0', 'a#2']);
    expect(index.neighbours(chunks[3]!)).toEqual([]);
  });

  it('expects at least one vector per chunk and one per sentence', () => {
    expect(index.expectedVectorCount).toBeGreaterThanOrEqual(4 + 2 + 3 + 1 + 4);
  });
});
