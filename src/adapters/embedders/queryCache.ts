import { LRUCache } from 'lru-cache';
import type { Embedder } from '../../core/ports.js';

export interface QueryCacheStats {
  hits: number;
  misses: number;
  size: number;
  max: number;
}

/**
 * An Embedder that remembers query embeddings in a bounded LRU (repeated
 * questions skip the model). Passages pass straight through: they are embedded
 * once, at indexing. Concurrent requests for the same uncached query share one
 * model call. Same id and dimensions as the embedder it wraps, so indexes are
 * unaffected.
 */
export class QueryCachingEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly cache: LRUCache<string, Float32Array>;
  private readonly pending = new Map<string, Promise<Float32Array>>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly inner: Embedder,
    max: number,
  ) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
    this.cache = new LRUCache({ max: Math.max(1, max) });
  }

  async embed(texts: string[], kind: 'query' | 'passage', onProgress?: (done: number) => void): Promise<Float32Array[]> {
    if (kind !== 'query') return this.inner.embed(texts, kind, onProgress);
    const out: (Float32Array | Promise<Float32Array> | undefined)[] = texts.map((t) => this.cache.get(t) ?? this.pending.get(t));
    const missing = [...new Set(texts.filter((_t, i) => !out[i]))];
    this.hits += out.filter(Boolean).length;
    this.misses += texts.length - out.filter(Boolean).length;
    if (missing.length) {
      const batch = this.inner.embed(missing, 'query');
      missing.forEach((text, j) => {
        const one = batch.then((vectors) => {
          this.cache.set(text, vectors[j]!);
          return vectors[j]!;
        });
        this.pending.set(text, one);
        // Settled either way: a failed embedding is not cached, the next request tries again.
        void one.then(
          () => this.pending.delete(text),
          () => this.pending.delete(text),
        );
      });
      texts.forEach((t, i) => (out[i] ??= this.pending.get(t)));
    }
    const vectors = await Promise.all(out as (Float32Array | Promise<Float32Array>)[]);
    onProgress?.(vectors.length);
    // Copies: callers may not write into the cached vectors.
    return vectors.map((v) => Float32Array.from(v));
  }

  stats(): QueryCacheStats {
    return { hits: this.hits, misses: this.misses, size: this.cache.size, max: this.cache.max };
  }
}
