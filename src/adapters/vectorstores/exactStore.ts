import type { Vector, VectorHit, VectorStore } from '../../core/ports.js';

/**
 * Exact (brute-force) inner-product search over normalised vectors.
 * Runtime-neutral: the reference for recall measurements and the store for small bundled corpora.
 */
export class ExactVectorStore implements VectorStore {
  private vectors = new Map<string, Float32Array>();

  constructor(readonly dimensions: number) {}

  get size(): number {
    return this.vectors.size;
  }

  upsert(items: { id: string; vector: Vector }[]): void {
    for (const { id, vector } of items) {
      if (vector.length !== this.dimensions) throw new Error(`vector for ${id} has ${vector.length} dimensions, expected ${this.dimensions}`);
      this.vectors.set(id, Float32Array.from(vector));
    }
  }

  delete(ids: string[]): void {
    for (const id of ids) this.vectors.delete(id);
  }

  get(id: string): Float32Array | undefined {
    return this.vectors.get(id);
  }

  search(query: Vector, k: number): VectorHit[] {
    const hits: VectorHit[] = [];
    for (const [id, v] of this.vectors) {
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i]! * query[i]!;
      hits.push({ id, score: dot });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, k);
  }
}
