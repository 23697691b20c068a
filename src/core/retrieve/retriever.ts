import type { Embedder, Segmenter } from '../ports.js';
import type { Chunk, Passage, Relevance, RetrievalFilter, RetrievalResult } from '../types.js';
import { weights as termWeights } from '../lexical/bm25.js';
import { parseVectorId, type CorpusIndex } from './corpusIndex.js';
import { NEUTRAL_DOMAIN, type Domain } from '../domain/pack.js';
import { missingAnswerType } from './answerType.js';
import { expandToChinese } from './glossary.js';
import { contentWords, fromPinyin, placesIn, toSimplified, translateEnglish, type Lexicon } from './bilingual.js';
import { isMostlyLatin, normaliseQuery } from './query.js';

/**
 * - `hybrid`: Yiju's retrieval (query normalisation, passage BM25, per-sentence
 *   dense + lexical evidence, title match, neighbour context).
 * - `lexical`, `dense`, `rrf`: the plain baselines it is measured against: BM25
 *   over jieba terms of the raw question; cosine similarity of the raw question
 *   and whole passages; reciprocal-rank fusion of those two rankings.
 */
export type RetrievalMode = 'hybrid' | 'lexical' | 'dense' | 'rrf';

export interface FusionWeights {
  /** Passage BM25 score, divided by the query's best BM25 score. */
  lexical: number;
  /** Similarity of the passage's best sentence (or clause of a long sentence), min–max normalised over candidates. */
  sentence: number;
  /** Whole-passage similarity, min–max normalised over candidates. */
  chunk: number;
  /**
   * Share of the query's IDF found anywhere in the passage's speech, title
   * included: users name the speech they mean ("市里的讲话", "总队讲话里").
   */
  document: number;
}

export interface RelevanceThresholds {
  /** In scope whenever the best dense similarity reaches this. */
  dense: number;
  /** …or when this share of the query's IDF is matched lexically… */
  lexicalCoverage: number;
  /** …and the dense similarity is at least this. */
  denseWithLexical: number;
  /**
   * With no embedder (Workers bundled mode): in scope when this share of the
   * query's IDF is matched lexically. Calibrated on the development set
   * (scripts/calibrate-lexical.ts), checked on the holdout.
   */
  lexicalOnly: number;
}

export interface RetrieverOptions {
  mode?: RetrievalMode;
  /**
   * Join a passage with an adjacent chunk of the same speech that also ranks
   * high (score at least this share of the passage's), so an answer that
   * straddles a chunk boundary comes back whole (hybrid only; 0 turns it off).
   */
  mergeAdjacent?: number;
  weights?: Partial<FusionWeights>;
  thresholds?: Partial<RelevanceThresholds>;
  /** How many vector hits and BM25 hits to consider before fusion. */
  candidates?: number;
  /** The corpus' domain: colloquial synonyms, the English glossary, answer types (default: none). */
  domain?: Domain;
  /**
   * The corpus' English → Chinese lexicon and traditional → simplified characters, loaded on the first English
   * question or the first with characters the corpus never uses (absent: the glossary alone, no conversion). An
   * English question most of whose content words it does not know is about something the corpus is not.
   */
  lexicon?: () => Promise<Lexicon>;
}

/**
 * An English question is about the corpus' subject only when at least this share of its content words
 * translate into the corpus' vocabulary (lexicon or glossary). Tuned on test/eval/trust-dev.json (english, off_topic).
 */
export const ENGLISH_COVERAGE = 0.6;

/** Chosen from a plateau of equally good settings on the evaluation set (scripts/tune.ts), not its single best point. */
export const DEFAULT_WEIGHTS: FusionWeights = { lexical: 0.4, sentence: 0.6, chunk: 0, document: 0.1 };
export const DEFAULT_THRESHOLDS: RelevanceThresholds = { dense: 0.6, lexicalCoverage: 0.5, denseWithLexical: 0.5, lexicalOnly: 0.22 };
/** The RRF baseline's constant (the usual 60 of Cormack et al.; only the `rrf` baseline uses it). */
const RRF_K = 60;
/** Vector and BM25 hits considered before fusion: enough that the sentence-level evidence of every passage a top-5 could need is in the pool (development set). */
const FUSION_CANDIDATES = 200;
/** A neighbouring chunk scoring at least this share of a returned passage is joined to it (tuned on the development set, scripts/tune.ts). */
const MERGE_ADJACENT_SHARE = 0.85;

interface Candidate {
  chunk: Chunk;
  lexical: number;
  lexicalRank: number;
  document: number;
  chunkSim: number;
  chunkRank: number;
  /** Per sentence of the chunk: best similarity of the sentence or its clauses (-1: not among the hits). */
  sentenceSims: number[];
  fused: number;
}

/**
 * Hybrid retrieval: BM25 over jieba terms fused with sentence- and
 * passage-level embeddings. Without an embedder (`null`: a runtime with no
 * model, such as a Worker in bundled mode) the same pipeline runs on its
 * lexical signals alone and decides scope by lexical coverage.
 */
export class Retriever {
  private readonly mode: RetrievalMode;
  private readonly weights: FusionWeights;
  private readonly thresholds: RelevanceThresholds;
  private readonly candidates: number;
  private readonly mergeAdjacent: number;
  private readonly domain: Domain;
  private readonly lexicon?: () => Promise<Lexicon>;
  /** The characters of the corpus, computed on first use. */
  private corpusChars: Set<string> | null = null;
  /** Segmented titles and per-term speech sets, computed on first use. */
  private titleTermCache: Map<string, Set<string>> | null = null;
  private readonly termDocuments = new Map<string, Set<string>>();

  constructor(
    private readonly index: CorpusIndex,
    private readonly embedder: Embedder | null,
    private readonly segmenter: Segmenter,
    options: RetrieverOptions = {},
  ) {
    this.mode = options.mode ?? 'hybrid';
    this.weights = { ...DEFAULT_WEIGHTS, ...options.weights };
    this.thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
    this.candidates = options.candidates ?? FUSION_CANDIDATES;
    this.mergeAdjacent = options.mergeAdjacent ?? MERGE_ADJACENT_SHARE;
    this.domain = options.domain ?? NEUTRAL_DOMAIN;
    this.lexicon = options.lexicon;
  }

  /** The lexicon (loaded once by whoever provides it); with none to be had, English is searched through the glossary alone. */
  private loadLexicon(): Promise<Lexicon> {
    return this.lexicon!().catch(() => ({ words: new Map(), simplified: new Map(), pinyin: new Map(), places: new Set<string>() }));
  }

  /** The places (of the lexicon's gazetteer) a question names; none without a lexicon. */
  async placesIn(question: string): Promise<string[]> {
    return this.lexicon ? placesIn(question, (await this.loadLexicon()).places) : [];
  }

  /**
   * A question in the corpus' script: one with Chinese characters the corpus never uses (聯席會議) is converted
   * through the lexicon's character map, one typed in pinyin (xinfang tiaoli …) into the corpus terms it spells;
   * any other is returned as it is.
   */
  async simplify(question: string): Promise<string> {
    if (!this.lexicon) return question;
    if (isMostlyLatin(question)) return fromPinyin(question, (await this.loadLexicon()).pinyin) ?? question;
    this.corpusChars ??= new Set([...this.index.documents.values()].flatMap((d) => [...d.text]));
    const unknown = [...question].some((ch) => /\p{Script=Han}/u.test(ch) && !this.corpusChars!.has(ch));
    return unknown ? toSimplified(question, (await this.loadLexicon()).simplified) : question;
  }

  /** The content words of an English question inside a glossary match ("kitchen waste"): the glossary knows them. */
  private glossaryWords(question: string): Set<string> {
    const words = new Set<string>();
    for (const { re } of this.domain.glossary) for (const m of question.matchAll(re)) for (const w of contentWords(m[0])) words.add(w);
    return words;
  }

  async retrieve(question: string, k = 5, filter: RetrievalFilter = {}): Promise<RetrievalResult> {
    const only = filter.docIds?.length ? new Set(filter.docIds) : null;
    const hybrid = this.mode === 'hybrid';
    const query = hybrid ? normaliseQuery(question, this.domain.synonyms) : question.trim();
    // English (or other Latin-script) questions are also searched through the Chinese domain terms they mention.
    const latin = hybrid && isMostlyLatin(query);
    const glossaryWords = latin ? this.glossaryWords(query) : new Set<string>();
    const translated = latin && this.lexicon ? translateEnglish(query, (await this.loadLexicon()).words, (w) => glossaryWords.has(w)) : null;
    const glossed = latin ? expandToChinese(query, this.domain.glossary) : '';
    const expansion = [glossed, ...(translated?.terms ?? [])].filter(Boolean).join(' ');
    // Chinese the user typed inside such a question is their exact term: it counts twice.
    const terms = expansion
      ? [...new Set(this.segmenter.queryTerms(expansion)), ...this.segmenter.queryTerms((query.match(/\p{Script=Han}+/gu) ?? []).join(' '))]
      : this.segmenter.queryTerms(query);

    const t0 = performance.now();
    const qVecs = this.mode === 'lexical' || !this.embedder ? [] : await this.embedder.embed(expansion ? [query, expansion] : [query], 'query');
    const t1 = performance.now();

    const pool = new Map<string, Candidate>();
    const candidate = (chunkId: string): Candidate | undefined => {
      let c = pool.get(chunkId);
      if (!c) {
        const chunk = this.index.chunks.get(chunkId);
        if (!chunk || (only && !only.has(chunk.docId))) return undefined;
        c = { chunk, lexical: 0, lexicalRank: Infinity, document: 0, chunkSim: -1, chunkRank: Infinity, sentenceSims: chunk.sentences.map(() => -1), fused: 0 };
        pool.set(chunkId, c);
      }
      return c;
    };

    // Lexical signals.
    const allLexHits = this.mode === 'dense' ? [] : this.index.bm25.search(terms, this.candidates);
    const lexHits = only ? allLexHits.filter((h) => only.has(this.index.chunks.get(h.id)?.docId ?? '')) : allLexHits;
    const maxLex = lexHits[0]?.score ?? 0;
    lexHits.forEach((hit, rank) => {
      const c = candidate(hit.id);
      if (c) Object.assign(c, { lexical: maxLex > 0 ? hit.score / maxLex : 0, lexicalRank: rank + 1 });
    });
    const queryIdf = this.index.bm25.queryIdf(terms);
    const lexicalCoverage = queryIdf > 0 ? Math.max(0, ...lexHits.slice(0, 5).map((h) => h.matchedIdf)) / queryIdf : 0;

    // Dense signals: passages, sentences and clauses of long sentences.
    let denseMax = 0;
    for (const qVec of qVecs) {
      const hits = await this.index.vectors.search(qVec, this.candidates);
      for (const hit of hits) {
        const { chunkId, sentence } = parseVectorId(hit.id);
        const c = candidate(chunkId);
        if (!c) continue;
        if (sentence === null) c.chunkSim = Math.max(c.chunkSim, hit.score);
        else if (sentence < c.sentenceSims.length) c.sentenceSims[sentence] = Math.max(c.sentenceSims[sentence]!, hit.score);
        denseMax = Math.max(denseMax, hit.score);
      }
    }
    if (hybrid && queryIdf > 0) {
      const qWeights = termWeights(terms);
      const docCoverage = this.documentCoverage(qWeights);
      for (const c of pool.values()) c.document = (docCoverage.get(c.chunk.docId) ?? 0) / queryIdf;
    }

    const cands = [...pool.values()];
    if (this.mode === 'rrf') {
      cands
        .filter((c) => c.chunkSim >= 0)
        .sort((a, b) => b.chunkSim - a.chunkSim)
        .forEach((c, i) => (c.chunkRank = i + 1));
      for (const c of cands) c.fused = 1 / (RRF_K + c.lexicalRank) + 1 / (RRF_K + c.chunkRank);
    } else this.fuse(cands);
    const ranked = cands.sort((a, b) => b.fused - a.fused || a.chunk.id.localeCompare(b.chunk.id));
    const t2 = performance.now();

    const passages = this.toPassages(ranked, k, hybrid ? this.mergeAdjacent : 0);
    const relevance = this.relevance(denseMax, lexicalCoverage);
    if (translated && translated.coverage < ENGLISH_COVERAGE) relevance.inScope = false;
    relevance.topical = relevance.inScope;
    const missing = hybrid ? missingAnswerType(question, passages, this.domain.answerTypes) : null;
    if (missing) Object.assign(relevance, { inScope: false, missing: missing.name });
    return {
      query: expansion ? `${query} → ${expansion}` : query,
      passages,
      relevance,
      timings: { embedMs: t1 - t0, retrieveMs: t2 - t1 },
    };
  }

  private fuse(cands: Candidate[]): void {
    const only = (key: keyof FusionWeights): FusionWeights => ({ lexical: 0, sentence: 0, chunk: 0, document: 0, [key]: 1 });
    const w = this.mode === 'lexical' ? only('lexical') : this.mode === 'dense' ? only('chunk') : this.weights;
    const range = (values: number[]) => {
      const vals = values.filter((v) => v >= 0);
      const min = vals.length ? Math.min(...vals) : 0;
      const max = vals.length ? Math.max(...vals) : 0;
      return (v: number) => (v < 0 || max <= min ? 0 : (v - min) / (max - min));
    };
    const sent = range(cands.flatMap((c) => c.sentenceSims));
    const whole = range(cands.map((c) => c.chunkSim));
    for (const c of cands) {
      c.fused = w.sentence * sent(Math.max(...c.sentenceSims)) + w.lexical * c.lexical + w.chunk * whole(c.chunkSim) + w.document * c.document;
    }
  }

  /** Per speech: weighted IDF of the query terms found in its title or any of its passages. */
  private documentCoverage(qWeights: Map<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    for (const [term, w] of qWeights) {
      for (const docId of this.documentsWith(term)) out.set(docId, (out.get(docId) ?? 0) + w * this.index.bm25.termWeight(term));
    }
    return out;
  }

  /** Speeches whose title or passages contain a term (cached per term). */
  private documentsWith(term: string): Set<string> {
    let docs = this.termDocuments.get(term);
    if (!docs) {
      docs = new Set(this.index.bm25.containing(term).map((id) => this.index.chunks.get(id)!.docId));
      for (const [docId, titleTerms] of this.titleTerms()) if (titleTerms.has(term)) docs.add(docId);
      this.termDocuments.set(term, docs);
    }
    return docs;
  }

  private titleTerms(): Map<string, Set<string>> {
    this.titleTermCache ??= new Map([...this.index.documents.values()].map((d) => [d.id, new Set(this.segmenter.terms(d.title))]));
    return this.titleTermCache;
  }

  private relevance(denseMax: number, lexicalCoverage: number): Relevance {
    const t = this.thresholds;
    const inScope =
      this.mode === 'lexical'
        ? lexicalCoverage >= t.lexicalCoverage
        : !this.embedder
          ? lexicalCoverage >= t.lexicalOnly
          : denseMax >= t.dense || (lexicalCoverage >= t.lexicalCoverage && denseMax >= t.denseWithLexical);
    return { denseMax, lexicalCoverage, inScope };
  }

  /** The top k passages; a high-ranking chunk next to a chosen one extends it instead (at most two chunks). */
  private toPassages(ranked: Candidate[], k: number, mergeShare: number): Passage[] {
    const picked: { c: Candidate; first: number; last: number; merged: boolean }[] = [];
    for (const c of ranked) {
      const { docId, index } = c.chunk;
      const neighbour =
        mergeShare > 0
          ? picked.find((p) => !p.merged && p.c.chunk.docId === docId && (index === p.first - 1 || index === p.last + 1) && c.fused >= mergeShare * p.c.fused)
          : undefined;
      if (neighbour) {
        Object.assign(neighbour, { first: Math.min(neighbour.first, index), last: Math.max(neighbour.last, index), merged: true });
        continue;
      }
      if (picked.length >= k) break;
      picked.push({ c, first: index, last: index, merged: false });
    }
    return picked.map(({ c, first, last }) => {
      const ids = this.index.chunksByDoc.get(c.chunk.docId)!;
      return this.toPassage(c, { start: this.index.chunks.get(ids[first]!)!.start, end: this.index.chunks.get(ids[last]!)!.end });
    });
  }

  private toPassage(c: Candidate, span: { start: number; end: number }): Passage {
    const doc = this.index.documents.get(c.chunk.docId);
    return {
      chunkId: c.chunk.id,
      docId: c.chunk.docId,
      title: doc?.title ?? c.chunk.docId,
      start: span.start,
      end: span.end,
      text: doc ? doc.text.slice(span.start, span.end) : c.chunk.text,
      score: Number(c.fused.toFixed(4)),
      signals: { lexical: c.lexical, dense: Math.max(0, c.chunkSim), sentence: Math.max(0, ...c.sentenceSims) },
    };
  }
}
