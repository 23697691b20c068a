import { contentHash } from '../../core/hash.js';
import type { Vector, VectorHit, VectorStore } from '../../core/ports.js';

/**
 * The part of a Vectorize binding (`env.VECTORIZE`, Vectorize v2) the store uses.
 * Mutations are asynchronous on Cloudflare's side and return a mutation id.
 */
export interface VectorizeBinding {
  upsert(vectors: { id: string; values: number[]; metadata?: Record<string, string> }[]): Promise<{ mutationId?: string }>;
  deleteByIds(ids: string[]): Promise<{ mutationId?: string }>;
  query(
    vector: number[],
    options: { topK: number; returnValues?: boolean; returnMetadata?: 'none' | 'indexed' | 'all' },
  ): Promise<{ count?: number; matches: { id: string; score: number }[] }>;
}

/** Vectorize limits: ids are at most 64 bytes; a query returns at most 100 matches without values or metadata. */
export const VECTORIZE_MAX_ID_BYTES = 64;
export const VECTORIZE_MAX_TOP_K = 100;

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** The id Vectorize stores for one of Yiju's vector ids: itself when it fits, else a stable hash. */
export const vectorizeId = (id: string) => (bytes(id) <= VECTORIZE_MAX_ID_BYTES ? id : `h:${contentHash(id)}`);

export interface VectorizeStoreOptions {
  /** The vector ids already in the index (from the bundled manifest): size and the mapping back from hashed ids. */
  ids?: Iterable<string>;
  /** Vectors per upsert or delete call. */
  batchSize?: number;
}

/**
 * Yiju's VectorStore on Cloudflare Vectorize (cosine metric). Ids too long for
 * Vectorize are stored as hashes and mapped back. Vectors cannot be read back
 * cheaply, so `get` is not offered (answers embed their sentences instead).
 */
export class VectorizeStore implements VectorStore {
  private readonly ids = new Set<string>();
  private readonly fromStored = new Map<string, string>();
  private readonly batchSize: number;

  constructor(
    private readonly index: VectorizeBinding,
    options: VectorizeStoreOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    for (const id of options.ids ?? []) this.remember(id);
  }

  get size(): number {
    return this.ids.size;
  }

  private remember(id: string): string {
    const stored = vectorizeId(id);
    this.ids.add(id);
    this.fromStored.set(stored, id);
    return stored;
  }

  async upsert(items: { id: string; vector: Vector }[]): Promise<void> {
    for (let i = 0; i < items.length; i += this.batchSize) {
      const batch = items.slice(i, i + this.batchSize).map(({ id, vector }) => ({ id: this.remember(id), values: Array.from(vector) }));
      await this.index.upsert(batch);
    }
  }

  async delete(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += this.batchSize) {
      const batch = ids.slice(i, i + this.batchSize);
      await this.index.deleteByIds(batch.map(vectorizeId));
      for (const id of batch) {
        this.ids.delete(id);
        this.fromStored.delete(vectorizeId(id));
      }
    }
  }

  async search(query: Vector, k: number): Promise<VectorHit[]> {
    const topK = Math.max(1, Math.min(k, VECTORIZE_MAX_TOP_K));
    const { matches } = await this.index.query(Array.from(query), { topK, returnValues: false, returnMetadata: 'none' });
    return matches.map((m) => ({ id: this.fromStored.get(m.id) ?? m.id, score: m.score }));
  }
}
