import type { Bm25Index } from '../lexical/bm25.js';
import type { VectorStore } from '../ports.js';
import { splitClauses } from '../chunk/sentences.js';
import type { Chunk, Document, Span } from '../types.js';

/** Vector ids: one per chunk (the passage) and one per sentence inside it. */
export const chunkVectorId = (chunkId: string) => `c:${chunkId}`;
export const sentenceVectorId = (chunkId: string, i: number) => `s:${chunkId}:${i}`;
/** Clause groups of long sentences: `p:${chunkId}:${sentence}.${part}`. */
export const clauseVectorId = (chunkId: string, i: number, j: number) => `p:${chunkId}:${i}.${j}`;

export function parseVectorId(id: string): { chunkId: string; sentence: number | null } {
  if (id.startsWith('c:')) return { chunkId: id.slice(2), sentence: null };
  const body = id.slice(2);
  const cut = body.lastIndexOf(':');
  return { chunkId: body.slice(0, cut), sentence: Math.trunc(Number(body.slice(cut + 1))) };
}

/** The texts embedded for a chunk: the passage, each sentence, and clause groups of long sentences. */
export function vectorTextsOf(chunk: Chunk, passagePrefix = ''): { id: string; text: string }[] {
  const out = [{ id: chunkVectorId(chunk.id), text: passagePrefix + chunk.text }];
  chunk.sentences.forEach((s, i) => {
    // Sentences lie inside the chunk, so chunk-relative offsets suffice.
    const local = { docId: s.docId, start: s.start - chunk.start, end: s.end - chunk.start };
    out.push({ id: sentenceVectorId(chunk.id, i), text: chunk.text.slice(local.start, local.end) });
    const clauses = splitClauses(chunk.text, local);
    if (clauses.length > 1) clauses.forEach((c, j) => out.push({ id: clauseVectorId(chunk.id, i, j), text: chunk.text.slice(c.start, c.end) }));
  });
  return out;
}

/** Everything retrieval reads: documents, chunks, the lexical index and the vector store. */
export class CorpusIndex {
  readonly documents = new Map<string, Document>();
  readonly chunks = new Map<string, Chunk>();
  /** Chunk ids of each document in order, for neighbour lookups. */
  readonly chunksByDoc = new Map<string, string[]>();

  constructor(
    documents: Document[],
    chunks: Chunk[],
    readonly bm25: Bm25Index,
    readonly vectors: VectorStore,
  ) {
    for (const d of documents) this.documents.set(d.id, d);
    for (const c of chunks) {
      this.chunks.set(c.id, c);
      const list = this.chunksByDoc.get(c.docId) ?? [];
      list[c.index] = c.id;
      this.chunksByDoc.set(c.docId, list);
    }
  }

  private sentenceIds: Map<string, string> | null = null;

  /** The stored embedding of a sentence span, if the index holds one (exact same span). */
  sentenceVector(span: Span): Float32Array | undefined {
    if (!this.vectors.get) return undefined;
    if (!this.sentenceIds) {
      this.sentenceIds = new Map();
      for (const c of this.chunks.values()) c.sentences.forEach((s, i) => this.sentenceIds!.set(`${s.docId}:${s.start}:${s.end}`, sentenceVectorId(c.id, i)));
    }
    const id = this.sentenceIds.get(`${span.docId}:${span.start}:${span.end}`);
    return id ? this.vectors.get(id) : undefined;
  }

  neighbours(chunk: Chunk): Chunk[] {
    const list = this.chunksByDoc.get(chunk.docId) ?? [];
    return [list[chunk.index - 1], list[chunk.index + 1]].filter((id): id is string => !!id).map((id) => this.chunks.get(id)!);
  }

  /** Number of vectors a fully indexed corpus holds. */
  get expectedVectorCount(): number {
    let n = 0;
    for (const c of this.chunks.values()) n += vectorTextsOf(c).length;
    return n;
  }
}
