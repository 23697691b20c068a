import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import hnswlib from 'hnswlib-node';
import type { Vector, VectorHit, VectorStore } from '../../core/ports.js';

const { HierarchicalNSW } = hnswlib;

export interface HnswOptions {
  m?: number;
  efConstruction?: number;
  /** Search breadth; higher is slower and more exact. */
  ef?: number;
  initialCapacity?: number;
}

interface LabelFile {
  dimensions: number;
  ids: (string | null)[];
  options: Required<HnswOptions>;
}

export class CorruptVectorIndexError extends Error {
  override name = 'CorruptVectorIndexError';
}

/**
 * Approximate nearest-neighbour search with hnswlib-node (inner product on
 * normalised vectors = cosine). String ids map to numeric labels; upserting
 * an id marks its old label deleted, and deleted slots are reused.
 */
export class HnswVectorStore implements VectorStore {
  private index: InstanceType<typeof HierarchicalNSW>;
  private labelOf = new Map<string, number>();
  private ids: (string | null)[] = [];
  private free: number[] = [];
  private readonly options: Required<HnswOptions>;

  constructor(readonly dimensions: number, options: HnswOptions = {}, skipInit = false) {
    this.options = { m: 16, efConstruction: 200, ef: 100, initialCapacity: 1024, ...options };
    this.index = new HierarchicalNSW('ip', dimensions);
    if (!skipInit) {
      this.index.initIndex({ maxElements: this.options.initialCapacity, m: this.options.m, efConstruction: this.options.efConstruction, allowReplaceDeleted: true });
      this.index.setEf(this.options.ef);
    }
  }

  get size(): number {
    return this.labelOf.size;
  }

  setEf(ef: number): void {
    this.index.setEf(ef);
  }

  upsert(items: { id: string; vector: Vector }[]): void {
    const needed = this.ids.length - this.free.length + items.length;
    const capacity = this.index.getMaxElements();
    if (needed > capacity) this.index.resizeIndex(Math.max(needed, capacity * 2));
    for (const { id, vector } of items) {
      if (vector.length !== this.dimensions) throw new Error(`vector for ${id} has ${vector.length} dimensions, expected ${this.dimensions}`);
      this.delete([id]);
      const reuse = this.free.pop();
      const label = reuse ?? this.ids.length;
      this.index.addPoint(Array.from(vector), label, reuse !== undefined);
      this.ids[label] = id;
      this.labelOf.set(id, label);
    }
  }

  delete(ids: string[]): void {
    for (const id of ids) {
      const label = this.labelOf.get(id);
      if (label === undefined) continue;
      this.index.markDelete(label);
      this.labelOf.delete(id);
      this.ids[label] = null;
      this.free.push(label);
    }
  }

  search(query: Vector, k: number): VectorHit[] {
    const n = Math.min(k, this.size);
    if (n <= 0) return [];
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n);
    return neighbors.map((label, i) => ({ id: this.ids[label]!, score: 1 - distances[i]! }));
  }

  save(indexPath: string): void {
    this.index.writeIndexSync(indexPath);
    const labels: LabelFile = { dimensions: this.dimensions, ids: this.ids, options: this.options };
    writeFileSync(`${indexPath}.labels.json`, JSON.stringify(labels));
  }

  static load(indexPath: string): HnswVectorStore {
    const labelPath = `${indexPath}.labels.json`;
    if (!existsSync(indexPath) || !existsSync(labelPath)) throw new CorruptVectorIndexError(`vector index ${indexPath} is missing`);
    let labels: LabelFile;
    try {
      labels = JSON.parse(readFileSync(labelPath, 'utf8')) as LabelFile;
    } catch (err) {
      throw new CorruptVectorIndexError(`vector index labels ${labelPath} are unreadable: ${(err as Error).message}`);
    }
    const store = new HnswVectorStore(labels.dimensions, labels.options, true);
    // hnswlib aborts the process on some truncated files, so check the size it implies first.
    const size = statSync(indexPath).size;
    if (size < 96) throw new CorruptVectorIndexError(`vector index ${indexPath} is truncated (${size} bytes)`);
    try {
      store.index.readIndexSync(indexPath, true);
    } catch (err) {
      throw new CorruptVectorIndexError(`vector index ${indexPath} is unreadable: ${(err as Error).message}`);
    }
    if (store.index.getCurrentCount() !== labels.ids.length) {
      throw new CorruptVectorIndexError(`vector index ${indexPath} holds ${store.index.getCurrentCount()} vectors but its labels list ${labels.ids.length}`);
    }
    store.index.setEf(labels.options.ef);
    store.ids = labels.ids;
    labels.ids.forEach((id, label) => (id === null ? store.free.push(label) : store.labelOf.set(id, label)));
    return store;
  }
}
