import type { Embedder, Segmenter } from '../ports.js';
import type { Chunk, Passage, Relevance, RetrievalResult } from '../types.js';
import { parseVectorId, type CorpusIndex } from './corpusIndex.js';
import { normaliseQuery } from './query.js';

export type RetrievalMode = 'hybrid' | 'lexical' | 'dense';

export interface FusionWeights {
  /** BM25 score, divided by the best BM25 score of the query. */
  lexical: number;
  /** Best sentence similarity inside the passage, min–max normalised over candidates. */
  sentence: number;
  /** Whole-passage similarity, min–max normalised over candidates. */
  chunk: number;
  /** Share of the best neighbouring passage's fused score added to a passage. */
  neighbour: number;
}

export interface RelevanceThresholds {
  /** In scope whenever the best dense similarity reaches this. */
  dense: number;
  /** …or when this share of the query's IDF is matched lexically… */
  lexicalCoverage: number;
  /** …and the dense similarity is at least this. */
  denseWithLexical: number;
}

export interface RetrieverOptions {
  mode?: RetrievalMode;
  weights?: Partial<FusionWeights>;
  thresholds?: Partial<RelevanceThresholds>;
  /** How many vector hits and BM25 hits to consider before fusion. */
  candidates?: number;
}

export const DEFAULT_WEIGHTS: FusionWeights = { lexical: 0.45, sentence: 0.4, chunk: 0.15, neighbour: 0.1 };
export const DEFAULT_THRESHOLDS: RelevanceThresholds = { dense: 0.6, lexicalCoverage: 0.5, denseWithLexical: 0.5 };

interface Candidate {
  chunk: Chunk;
  lexical: number;
  sentence: number;
  chunkSim: number;
  fused: number;
}

/** Hybrid retrieval: BM25 over jieba terms fused with sentence- and passage-level embeddings. */
export class Retriever {
  private readonly mode: RetrievalMode;
  private readonly weights: FusionWeights;
  private readonly thresholds: RelevanceThresholds;
  private readonly candidates: number;

  constructor(
    private readonly index: CorpusIndex,
    private readonly embedder: Embedder,
    private readonly segmenter: Segmenter,
    options: RetrieverOptions = {},
  ) {
    this.mode = options.mode ?? 'hybrid';
    this.weights = { ...DEFAULT_WEIGHTS, ...options.weights };
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    this.candidates = options.candidates ?? 200;
  }

  async retrieve(question: string, k = 5): Promise<RetrievalResult> {
    const query = normaliseQuery(question);
    const t0 = performance.now();
    const needDense = this.mode !== 'lexical';
    const [qVec] = needDense ? await this.embedder.embed([query], 'query') : [undefined];
    const t1 = performance.now();

    const pool = new Map<string, Candidate>();
    const candidate = (chunkId: string): Candidate | undefined => {
      let c = pool.get(chunkId);
      if (!c) {
        const chunk = this.index.chunks.get(chunkId);
        if (!chunk) return undefined;
        c = { chunk, lexical: 0, sentence: -1, chunkSim: -1, fused: 0 };
        pool.set(chunkId, c);
      }
      return c;
    };

    // Lexical signal.
    const terms = this.segmenter.queryTerms(query);
    const lexHits = this.mode === 'dense' ? [] : this.index.bm25.search(terms, this.candidates);
    const maxLex = lexHits[0]?.score ?? 0;
    for (const hit of lexHits) {
      const c = candidate(hit.id);
      if (c) c.lexical = maxLex > 0 ? hit.score / maxLex : 0;
    }
    const queryIdf = this.index.bm25.queryIdf(terms);
    const lexicalCoverage = queryIdf > 0 ? Math.max(0, ...lexHits.slice(0, 5).map((h) => h.matchedIdf)) / queryIdf : 0;

    // Dense signals.
    let denseMax = 0;
    if (qVec) {
      const hits = await this.index.vectors.search(qVec, this.candidates);
      for (const hit of hits) {
        const { chunkId, sentence } = parseVectorId(hit.id);
        const c = candidate(chunkId);
        if (!c) continue;
        if (sentence === null) c.chunkSim = Math.max(c.chunkSim, hit.score);
        else c.sentence = Math.max(c.sentence, hit.score);
        denseMax = Math.max(denseMax, hit.score);
      }
    }

    this.fuse([...pool.values()]);
    const ranked = [...pool.values()].sort((a, b) => b.fused - a.fused || a.chunk.id.localeCompare(b.chunk.id));
    const t2 = performance.now();

    const relevance = this.relevance(denseMax, lexicalCoverage);
    const passages = ranked.slice(0, k).map((c) => this.toPassage(c));
    return { query, passages, relevance, timings: { embedMs: t1 - t0, retrieveMs: t2 - t1 } };
  }

  private fuse(cands: Candidate[]): void {
    const w = this.mode === 'lexical' ? { lexical: 1, sentence: 0, chunk: 0, neighbour: 0 }
      : this.mode === 'dense' ? { lexical: 0, sentence: 0, chunk: 1, neighbour: 0 } : this.weights;
    const range = (get: (c: Candidate) => number) => {
      const vals = cands.map(get).filter((v) => v >= 0);
      const min = vals.length ? Math.min(...vals) : 0;
      const max = vals.length ? Math.max(...vals) : 0;
      return (v: number) => (v < 0 || max <= min ? 0 : (v - min) / (max - min));
    };
    const sent = range((c) => c.sentence);
    const whole = range((c) => c.chunkSim);
    const base = new Map<string, number>();
    for (const c of cands) base.set(c.chunk.id, w.lexical * c.lexical + w.sentence * sent(c.sentence) + w.chunk * whole(c.chunkSim));
    for (const c of cands) {
      const neighbourBest = Math.max(0, ...this.index.neighbours(c.chunk).map((n) => base.get(n.id) ?? 0));
      c.fused = base.get(c.chunk.id)! + w.neighbour * neighbourBest;
    }
  }

  private relevance(denseMax: number, lexicalCoverage: number): Relevance {
    const t = this.thresholds;
    const inScope = this.mode === 'lexical'
      ? lexicalCoverage >= t.lexicalCoverage
      : denseMax >= t.dense || (lexicalCoverage >= t.lexicalCoverage && denseMax >= t.denseWithLexical);
    return { denseMax, lexicalCoverage, inScope };
  }

  private toPassage(c: Candidate): Passage {
    const doc = this.index.documents.get(c.chunk.docId);
    return {
      chunkId: c.chunk.id,
      docId: c.chunk.docId,
      title: doc?.title ?? c.chunk.docId,
      start: c.chunk.start,
      end: c.chunk.end,
      text: c.chunk.text,
      score: Number(c.fused.toFixed(4)),
      signals: { lexical: c.lexical, dense: Math.max(0, c.chunkSim), sentence: Math.max(0, c.sentence) },
    };
  }
}
