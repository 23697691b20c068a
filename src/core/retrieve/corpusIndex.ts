import type { Bm25Index } from '../lexical/bm25.js';
import type { VectorStore } from '../ports.js';
import type { Chunk, Document } from '../types.js';

/** Vector ids: one per chunk (the passage) and one per sentence inside it. */
export const chunkVectorId = (chunkId: string) => `c:${chunkId}`;
export const sentenceVectorId = (chunkId: string, i: number) => `s:${chunkId}:${i}`;

export function parseVectorId(id: string): { chunkId: string; sentence: number | null } {
  if (id.startsWith('c:')) return { chunkId: id.slice(2), sentence: null };
  const body = id.slice(2);
  const cut = body.lastIndexOf(':');
  return { chunkId: body.slice(0, cut), sentence: Number(body.slice(cut + 1)) };
}

/** Everything retrieval reads: documents, chunks, the lexical index and the vector store. */
export class CorpusIndex {
  readonly documents = new Map<string, Document>();
  readonly chunks = new Map<string, Chunk>();
  /** Chunk ids of each document in order, for neighbour lookups. */
  readonly chunksByDoc = new Map<string, string[]>();

  constructor(documents: Document[], chunks: Chunk[], readonly bm25: Bm25Index, readonly vectors: VectorStore) {
    for (const d of documents) this.documents.set(d.id, d);
    for (const c of chunks) {
      this.chunks.set(c.id, c);
      const list = this.chunksByDoc.get(c.docId) ?? [];
      list[c.index] = c.id;
      this.chunksByDoc.set(c.docId, list);
    }
  }

  neighbours(chunk: Chunk): Chunk[] {
    const list = this.chunksByDoc.get(chunk.docId) ?? [];
    return [list[chunk.index - 1], list[chunk.index + 1]].filter((id): id is string => !!id).map((id) => this.chunks.get(id)!);
  }

  /** Number of vectors a fully indexed corpus holds. */
  get expectedVectorCount(): number {
    let n = 0;
    for (const c of this.chunks.values()) n += 1 + c.sentences.length;
    return n;
  }
}
