import type { Embedder, Segmenter } from '../ports.js';
import type { Chunk, Passage, Relevance, RetrievalResult } from '../types.js';
import { weights } from '../lexical/bm25.js';
import { parseVectorId, type CorpusIndex } from './corpusIndex.js';
import { expandToChinese } from './glossary.js';
import { isMostlyLatin, normaliseQuery } from './query.js';

export type RetrievalMode = 'hybrid' | 'lexical' | 'dense';

export interface FusionWeights {
  /** BM25 score, divided by the best BM25 score of the query. */
  lexical: number;
  /** Best sentence similarity inside the passage, min–max normalised over candidates. */
  sentence: number;
  /** Whole-passage similarity, min–max normalised over candidates. */
  chunk: number;
  /** Best share of the query's IDF that one sentence of the passage matches. */
  sentenceLexical: number;
  /** Share of the query's IDF matched by the passage's document title (users name the speech: "市里的讲话"). */
  title: number;
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

export const DEFAULT_WEIGHTS: FusionWeights = { lexical: 0.45, sentence: 0.4, chunk: 0.15, sentenceLexical: 0.2, title: 0, neighbour: 0.1 };
export const DEFAULT_THRESHOLDS: RelevanceThresholds = { dense: 0.6, lexicalCoverage: 0.5, denseWithLexical: 0.5 };

interface Candidate {
  chunk: Chunk;
  lexical: number;
  sentenceLexical: number;
  title: number;
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
  /** Segmented sentences per chunk, computed on first use. */
  private readonly sentenceTerms = new Map<string, Set<string>[]>();
  private readonly titleTerms = new Map<string, Set<string>>();

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
    // Questions in English (or another Latin-script language) are also searched through their Chinese domain terms.
    const expansion = isMostlyLatin(query) ? expandToChinese(query) : '';
    // Chinese the user typed inside such a question is their exact term: it counts twice.
    const terms = expansion
      ? [...new Set(this.segmenter.queryTerms(expansion)), ...this.segmenter.queryTerms((query.match(/\p{Script=Han}+/gu) ?? []).join(' '))]
      : this.segmenter.queryTerms(query);
    const t0 = performance.now();
    const needDense = this.mode !== 'lexical';
    const qVecs = needDense ? await this.embedder.embed(expansion ? [query, expansion] : [query], 'query') : [];
    const t1 = performance.now();

    const pool = new Map<string, Candidate>();
    const candidate = (chunkId: string): Candidate | undefined => {
      let c = pool.get(chunkId);
      if (!c) {
        const chunk = this.index.chunks.get(chunkId);
        if (!chunk) return undefined;
        c = { chunk, lexical: 0, sentenceLexical: 0, title: 0, sentence: -1, chunkSim: -1, fused: 0 };
        pool.set(chunkId, c);
      }
      return c;
    };

    // Lexical signal.
    const lexHits = this.mode === 'dense' ? [] : this.index.bm25.search(terms, this.candidates);
    const maxLex = lexHits[0]?.score ?? 0;
    for (const hit of lexHits) {
      const c = candidate(hit.id);
      if (c) c.lexical = maxLex > 0 ? hit.score / maxLex : 0;
    }
    const queryIdf = this.index.bm25.queryIdf(terms);
    if (this.mode === 'hybrid' && queryIdf > 0) {
      const qWeights = weights(terms);
      const titleScore = new Map<string, number>();
      for (const c of pool.values()) {
        c.sentenceLexical = this.bestSentenceCoverage(c.chunk, qWeights) / queryIdf;
        let t = titleScore.get(c.chunk.docId);
        if (t === undefined) titleScore.set(c.chunk.docId, (t = this.titleCoverage(c.chunk.docId, qWeights) / queryIdf));
        c.title = t;
      }
    }
    const lexicalCoverage = queryIdf > 0 ? Math.max(0, ...lexHits.slice(0, 5).map((h) => h.matchedIdf)) / queryIdf : 0;

    // Dense signals.
    let denseMax = 0;
    for (const qVec of qVecs) {
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
    return { query: expansion ? `${query} → ${expansion}` : query, passages, relevance, timings: { embedMs: t1 - t0, retrieveMs: t2 - t1 } };
  }

  private fuse(cands: Candidate[]): void {
    const only = (key: keyof FusionWeights): FusionWeights => ({ lexical: 0, sentence: 0, chunk: 0, sentenceLexical: 0, title: 0, neighbour: 0, [key]: 1 });
    const w = this.mode === 'lexical' ? only('lexical') : this.mode === 'dense' ? only('chunk') : this.weights;
    const range = (get: (c: Candidate) => number) => {
      const vals = cands.map(get).filter((v) => v >= 0);
      const min = vals.length ? Math.min(...vals) : 0;
      const max = vals.length ? Math.max(...vals) : 0;
      return (v: number) => (v < 0 || max <= min ? 0 : (v - min) / (max - min));
    };
    const sent = range((c) => c.sentence);
    const whole = range((c) => c.chunkSim);
    const base = new Map<string, number>();
    for (const c of cands) {
      const lexical = w.lexical * c.lexical + w.sentenceLexical * c.sentenceLexical + w.title * c.title;
      base.set(c.chunk.id, lexical + w.sentence * sent(c.sentence) + w.chunk * whole(c.chunkSim));
    }
    for (const c of cands) {
      const neighbourBest = Math.max(0, ...this.index.neighbours(c.chunk).map((n) => base.get(n.id) ?? 0));
      c.fused = base.get(c.chunk.id)! + w.neighbour * neighbourBest;
    }
  }

  /** Weighted IDF of the query terms found in a document's title. */
  private titleCoverage(docId: string, qWeights: Map<string, number>): number {
    let terms = this.titleTerms.get(docId);
    if (!terms) this.titleTerms.set(docId, (terms = new Set(this.segmenter.terms(this.index.documents.get(docId)?.title ?? ''))));
    let sum = 0;
    for (const [t, w] of qWeights) if (terms.has(t)) sum += w * this.index.bm25.termWeight(t);
    return sum;
  }

  /** Weighted IDF of the query terms found in the passage's best sentence. */
  private bestSentenceCoverage(chunk: Chunk, qWeights: Map<string, number>): number {
    let terms = this.sentenceTerms.get(chunk.id);
    if (!terms) {
      const doc = this.index.documents.get(chunk.docId);
      terms = chunk.sentences.map((s) => new Set(this.segmenter.terms(doc ? doc.text.slice(s.start, s.end) : '')));
      this.sentenceTerms.set(chunk.id, terms);
    }
    let best = 0;
    for (const sentence of terms) {
      let sum = 0;
      for (const [t, w] of qWeights) if (sentence.has(t)) sum += w * this.index.bm25.termWeight(t);
      best = Math.max(best, sum);
    }
    return best;
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
