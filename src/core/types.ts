/**
 * The RAG core's data model. Plain data, no runtime dependencies.
 *
 * Every offset (`start`, `end`) is a UTF-16 index into `Document.text`, the
 * document's canonical text: `text.slice(start, end)` is always the quoted span.
 */

/** Metadata a document may declare in front matter. */
export interface DocumentMeta {
  title?: string;
  date?: string;
  place?: string;
  speaker?: string;
  source?: string;
  /** The meeting the speech was given at ("全市安全生产工作会议"). */
  meeting?: string;
  /** The level it was given at ("市级"), one of the domain pack's scopes. */
  level?: string;
}

export interface Document {
  /** Stable id derived from the file name (without extension). */
  id: string;
  title: string;
  /** Canonical text: cleaned, whitespace-normalised. What users see and what offsets refer to. */
  text: string;
  meta: DocumentMeta;
  /** Content hash of the canonical text plus metadata; changes trigger re-indexing. */
  hash: string;
}

/** A span of a document's canonical text. */
export interface Span {
  docId: string;
  start: number;
  end: number;
}

/** Whether two spans are the same place in the same document. */
export const sameSpan = (a: Span, b: Span): boolean => a.docId === b.docId && a.start === b.start && a.end === b.end;

/** Whether span `a` lies inside span `b` of the same document and is shorter. */
export const strictlyInside = (a: Span, b: Span): boolean => a.docId === b.docId && b.start <= a.start && a.end <= b.end && b.end - b.start > a.end - a.start;

/** A retrieval unit (passage) with its exact location. */
export interface Chunk extends Span {
  /** `${docId}#${index}`, stable while the document does not change. */
  id: string;
  index: number;
  text: string;
  /** Sentences inside this chunk (absolute offsets in the document). */
  sentences: Span[];
}

/** A passage returned by retrieval. */
export interface Passage extends Span {
  chunkId: string;
  title: string;
  text: string;
  score: number;
  /** Per-signal scores, for debugging and evaluation. */
  signals: { lexical: number; dense: number; sentence: number };
}

/** How confident retrieval is that the corpus answers the question at all. */
export interface Relevance {
  /** Best cosine similarity between the query and any sentence (dense signal). */
  denseMax: number;
  /** IDF-weighted share of the query's terms found in the best passage (lexical signal). */
  lexicalCoverage: number;
  /** Combined decision. */
  inScope: boolean;
  /**
   * Whether the passages are about the question's subject (the thresholds alone): false with `inScope` true
   * never happens; true with `inScope` false means only the answer type is missing (a detail not given).
   */
  topical?: boolean;
  /** Set when the question asks for a kind of fact (e.g. a number of days) that no retrieved passage states. */
  missing?: string;
}

/** Where to search: only these documents (a client that knows which speech it means, or one the question names). */
export interface RetrievalFilter {
  docIds?: readonly string[];
}

export interface RetrievalResult {
  query: string;
  passages: Passage[];
  relevance: Relevance;
  timings: { embedMs: number; retrieveMs: number };
}
