import { beforeAll, describe, expect, it } from 'vitest';
import { JiebaSegmenter } from '../../../src/adapters/segmenters/jieba.js';
import { ExactVectorStore } from '../../../src/adapters/vectorstores/exactStore.js';
import { Chunker } from '../../../src/core/chunk/chunker.js';
import { buildIndex } from '../../../src/core/indexing/buildIndex.js';
import { buildDocument } from '../../../src/core/ingest/document.js';
import type { Embedder, Segmenter } from '../../../src/core/ports.js';
import type { CorpusIndex } from '../../../src/core/retrieve/corpusIndex.js';
import { Retriever } from '../../../src/core/retrieve/retriever.js';
import type { RetrievalResult } from '../../../src/core/types.js';
import { ConceptEmbedder } from '../../helpers/fakeEmbedder.js';
import { corpusDomain } from '../../helpers/domain.js';

/**
 * Hand-made one-passage documents and a toy embedder that knows a few concepts
 * (see ConceptEmbedder): paraphrases of a concept are close in the dense space,
 * while names and numbers (12345) are invisible to it. The segmenter is the real one.
 */
const CONCEPTS = {
  hotline: ['热线'],
  firstVisit: ['初信初访', '头一回'],
  meeting: ['联席会议', '坐下来一起商量'],
  weather: ['天气', '下雨'],
  budget: ['预算', '经费'],
};

const PASSAGES: Record<string, string> = {
  // Lexically the only passage with 12345; densely close to the hotline query, but not the closest.
  hotline12345: '12345热线实行接诉即办，热线工单的经费单列。',
  // Densely the closest to a hotline query (pure hotline concept), lexically weaker.
  hotlineService: '热线电话要安排专人接听，热线服务要规范文明。',
  // The first-visit passage: found densely by a paraphrase that shares no words with it.
  firstVisit: '初信初访要及时就地化解，防止矛盾上交。',
  meeting: '联席会议每两周召开一次，研究重点个案。',
  weather: '明天天气晴，后天有下雨的可能。',
  budget: '年度预算和专项经费要严格管理。',
};

/** Asked in words that occur in no passage, but with the first-visit concept (头一回). */
const PARAPHRASE = '头一回登门的老乡';

class CountingEmbedder implements Embedder {
  calls = 0;
  constructor(private readonly inner: Embedder) {}
  get id() {
    return this.inner.id;
  }
  get dimensions() {
    return this.inner.dimensions;
  }
  embed(texts: string[], kind: 'query' | 'passage') {
    this.calls++;
    return this.inner.embed(texts, kind);
  }
}

const throwingEmbedder = (dimensions: number): Embedder => ({
  id: 'throwing',
  dimensions,
  embed: () => {
    throw new Error('the embedder must not be called');
  },
});

const emptySegmenter: Segmenter = { terms: () => [], queryTerms: () => [] };

let index: CorpusIndex;
let embedder: ConceptEmbedder;
let segmenter: JiebaSegmenter;
const chunkOf = (docId: string) => `${docId}#0`;
const ids = (r: RetrievalResult) => r.passages.map((p) => p.docId);

beforeAll(async () => {
  embedder = new ConceptEmbedder(CONCEPTS);
  segmenter = new JiebaSegmenter(corpusDomain().terms);
  const documents = Object.entries(PASSAGES).map(([id, text]) => buildDocument({ name: `${id}.txt`, raw: text }));
  const built = await buildIndex({ documents, chunker: new Chunker(), embedder, segmenter, vectors: new ExactVectorStore(embedder.dimensions) });
  index = built.index;
});

describe('the test collection is what the tests assume', () => {
  it('one passage per document, and the paraphrase shares no term with any passage', () => {
    expect(index.chunks.size).toBe(Object.keys(PASSAGES).length);
    for (const id of Object.keys(PASSAGES)) expect(index.chunks.get(chunkOf(id))?.text).toBe(PASSAGES[id]);
    expect(index.bm25.search(segmenter.queryTerms(PARAPHRASE))).toEqual([]);
  });
});

describe('hybrid retrieval fuses the lexical and the dense signal', () => {
  it('ranks first a passage that only the lexical signal puts first (a number the embedder cannot see)', async () => {
    const q = '12345热线';
    const lexical = await new Retriever(index, embedder, segmenter, { mode: 'lexical' }).retrieve(q);
    const dense = await new Retriever(index, embedder, segmenter, { mode: 'dense' }).retrieve(q);
    const hybrid = await new Retriever(index, embedder, segmenter).retrieve(q);
    expect(ids(lexical)[0]).toBe('hotline12345');
    expect(ids(dense)[0]).toBe('hotlineService');
    expect(ids(hybrid)[0]).toBe('hotline12345');
  });

  it('ranks first a passage that only the dense signal finds (a paraphrase without shared words)', async () => {
    const lexical = await new Retriever(index, embedder, segmenter, { mode: 'lexical' }).retrieve(PARAPHRASE);
    const dense = await new Retriever(index, embedder, segmenter, { mode: 'dense' }).retrieve(PARAPHRASE);
    const hybrid = await new Retriever(index, embedder, segmenter).retrieve(PARAPHRASE);
    expect(ids(lexical)).not.toContain('firstVisit');
    expect(ids(dense)[0]).toBe('firstVisit');
    expect(ids(hybrid)[0]).toBe('firstVisit');
  });

  it('returns passages with exact, quotable locations, best first, at most k', async () => {
    const result = await new Retriever(index, embedder, segmenter).retrieve('联席会议多久开一次？', 3);
    expect(result.passages.length).toBeGreaterThan(0);
    expect(result.passages.length).toBeLessThanOrEqual(3);
    expect(result.passages[0]!.docId).toBe('meeting');
    for (const p of result.passages) {
      const doc = index.documents.get(p.docId)!;
      expect(p.text).toBe(doc.text.slice(p.start, p.end));
      expect(p.title).toBe(doc.title);
      expect(p.chunkId).toBe(chunkOf(p.docId));
    }
    for (let i = 1; i < result.passages.length; i++) expect(result.passages[i - 1]!.score).toBeGreaterThanOrEqual(result.passages[i]!.score);
  });
});

describe('single-signal modes', () => {
  it("'lexical' uses only BM25: the embedder is never called, ranking follows BM25", async () => {
    const q = '热线经费';
    const result = await new Retriever(index, throwingEmbedder(embedder.dimensions), segmenter, { mode: 'lexical' }).retrieve(q, 10);
    expect(result.passages.map((p) => p.chunkId)).toEqual(index.bm25.search(segmenter.queryTerms(q)).map((h) => h.id));
    for (const p of result.passages) expect(p.signals).toMatchObject({ dense: 0, sentence: 0 });
  });

  it("'dense' uses only the embeddings: the lexical index does not change the ranking", async () => {
    const counting = new CountingEmbedder(embedder);
    for (const q of ['12345热线', PARAPHRASE, '联席会议']) {
      const withTerms = await new Retriever(index, counting, segmenter, { mode: 'dense' }).retrieve(q, 10);
      const withoutTerms = await new Retriever(index, embedder, emptySegmenter, { mode: 'dense' }).retrieve(q, 10);
      expect(withTerms.passages.map((p) => [p.chunkId, p.score])).toEqual(withoutTerms.passages.map((p) => [p.chunkId, p.score]));
      for (const p of withTerms.passages) expect(p.signals.lexical).toBe(0);
    }
    expect(counting.calls).toBeGreaterThan(0);
  });

  it("'dense' ranks the passage with the most similar embedding first", async () => {
    const result = await new Retriever(index, embedder, segmenter, { mode: 'dense' }).retrieve('下雨', 10);
    expect(result.passages[0]!.docId).toBe('weather');
  });
});

describe('relevance', () => {
  it('is out of scope for a query with no lexical match and low dense similarity', async () => {
    const result = await new Retriever(index, embedder, segmenter).retrieve('股票行情怎么样');
    expect(result.relevance.lexicalCoverage).toBe(0);
    expect(result.relevance.denseMax).toBeLessThan(0.3);
    expect(result.relevance.inScope).toBe(false);
  });

  it('is in scope for a query whose meaning matches a passage exactly', async () => {
    const result = await new Retriever(index, embedder, segmenter).retrieve(PARAPHRASE);
    expect(result.relevance.denseMax).toBeGreaterThan(0.99);
    expect(result.relevance.inScope).toBe(true);
  });

  it("in 'lexical' mode, scope follows lexical coverage", async () => {
    const lexical = new Retriever(index, throwingEmbedder(embedder.dimensions), segmenter, { mode: 'lexical' });
    const hit = await lexical.retrieve('联席会议');
    expect(hit.relevance.lexicalCoverage).toBeGreaterThan(0.9);
    expect(hit.relevance.inScope).toBe(true);
    const miss = await lexical.retrieve('股票行情');
    expect(miss.relevance.lexicalCoverage).toBe(0);
    expect(miss.relevance.inScope).toBe(false);
  });

  it('reports timings', async () => {
    const result = await new Retriever(index, embedder, segmenter).retrieve('联席会议');
    expect(result.timings.embedMs).toBeGreaterThanOrEqual(0);
    expect(result.timings.retrieveMs).toBeGreaterThanOrEqual(0);
  });
});
